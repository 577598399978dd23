"""Non-English articles are flagged, not scored as English, and every article is accounted for."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from harness.cli import app
from harness.experiments import load_catalogue
from harness.project import Project
from harness.run import run_experiment
from harness.text.language import detect_language, split_by_language

runner = CliRunner()

FRENCH = (
    "La Russie et l'Ukraine ont discuté mercredi de nouveaux échanges de prisonniers lors d'une brève "
    "session de pourparlers de paix à Istanbul, mais les deux camps restent très éloignés sur les "
    "conditions d'un cessez-le-feu et sur une éventuelle rencontre entre leurs dirigeants."
)
ENGLISH = (
    "Russia and Ukraine discussed further prisoner swaps on Wednesday at a brief session of peace talks "
    "in Istanbul, but the sides remained far apart on ceasefire terms and a possible meeting of leaders."
)


def test_detect_language() -> None:
    assert detect_language(FRENCH).language == "fr"
    assert detect_language(FRENCH).non_english()
    assert not detect_language(ENGLISH).non_english()
    # Too short to judge: kept, never skipped on a guess.
    assert not detect_language("Gracias, amigos.").non_english()


def test_split_by_language_names_the_reason() -> None:
    articles = pl.DataFrame({"doc_id": ["en1", "fr1"], "outlet": ["A", "B"], "body": [ENGLISH, FRENCH]})
    english, skipped = split_by_language(articles)
    assert english["doc_id"].to_list() == ["en1"]
    assert skipped["doc_id"].to_list() == ["fr1"]
    assert skipped["reason"].to_list() == ["language: fr"]


def _add_french_article(project: Project) -> None:
    folder = project.root / "seeds"
    (folder / "lemonde.md").write_text(
        f"---\ntitle: Échanges de prisonniers\noutlet: Le Monde\n---\n{FRENCH}\n", encoding="utf-8"
    )
    experiment = project.experiments_dir / "tabloid-framing.toml"
    text = experiment.read_text(encoding="utf-8").replace('"The Guardian"]', '"The Guardian", "Le Monde"]')
    experiment.write_text(text, encoding="utf-8")


def test_experiment_skips_and_accounts_for_a_french_article(project: Project) -> None:
    _add_french_article(project)
    stored = run_experiment(load_catalogue(project.experiments_dir).get("tabloid-framing"), project)
    skipped = stored.table("skipped")
    assert skipped["outlet"].to_list() == ["Le Monde"]
    assert "Le Monde" not in stored.table("documents")["outlet"].to_list()
    corpus = stored.manifest.corpus
    assert corpus["articles_read"] == 5
    assert corpus["articles_selected"] == 4
    assert corpus["articles_skipped"] == 1
    assert corpus["articles_processed"] == 3
    assert corpus["skipped_reasons"] == {"language: fr": 1}
    assert "py3langid model.npz.xz" in {r["name"] for r in stored.manifest.resources}


def test_score_command_warns_and_skips(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "en", "text": ENGLISH}) + "\n" + json.dumps({"id": "fr", "text": FRENCH}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["doc_id"] for r in json.loads(result.stdout)] == ["en"]
    assert "fr not scored (language: fr" in result.stderr
    result = runner.invoke(app, ["score", str(corpus), "--format", "json", "--any-language"])
    assert [r["doc_id"] for r in json.loads(result.stdout)] == ["en", "fr"]


def _run_profile(root: str) -> str:
    project = Project(Path(root))
    return run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project).result_id


def test_two_concurrent_runs_do_not_corrupt_the_store(project: Project) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        ids = pool.map(_run_profile, [str(project.root)] * 4)
    assert len(set(ids)) == 1
    store = project.store()
    assert store.result_ids("corpus-profile") == [ids[0]]
    assert store.tampered_tables(store.load("corpus-profile")) == []
    leftovers = [p.name for p in (project.results_dir / "corpus-profile").iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


# -- issue 16: language identification on a bounded sample, many texts at once ------------

# Written for this test: a long English body with a foreign quote, a foreign body with
# an English quote, short texts in several languages, an English lead over a German body.
_QUOTE_FR = "« Nous ne céderons rien sur la question des prisonniers », a déclaré le porte-parole du ministère."
_MIXED = {
    "english body, French quote first": f"{_QUOTE_FR}\n\n" + "\n\n".join([ENGLISH] * 12),
    "english body, French quote in the middle": "\n\n".join([ENGLISH] * 6 + [_QUOTE_FR] + [ENGLISH] * 6),
    "french body, English quote": "\n\n".join([FRENCH] * 6 + [f'"{ENGLISH}"'] + [FRENCH] * 6),
    "long french": "\n\n".join([FRENCH] * 20),
    "short french": FRENCH,
    "short english": ENGLISH,
    "spanish": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate. " * 3,
    "german lead": (
        "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen. " * 20
    ),
    "english lead, german body": ENGLISH
    + "\n\n"
    + "Die Polizei sperrte die Straße nach dem Unfall für mehrere Stunden. " * 30,
    "shouting": ENGLISH.upper(),
    "empty": "",
    "a few words": "Gracias, amigos.",
}


def test_language_sample_is_bounded_deterministic_and_cut_between_words() -> None:
    from harness.text.language import SAMPLE_CHARS, SAMPLE_PIECES, language_sample

    assert language_sample(ENGLISH) is ENGLISH  # short: read whole
    long_text = "\n\n".join(f"Paragraph {k} says something about the talks." for k in range(400))
    sample = language_sample(long_text)
    assert sample == language_sample(long_text)
    assert len(sample) <= SAMPLE_CHARS + SAMPLE_PIECES
    assert sample.startswith("Paragraph 0 ") and sample.rstrip(".").endswith("talks")
    assert "Paragraph 399" in sample  # pieces reach the end of the text
    words = set(long_text.split())
    assert all(word in words for word in sample.split())  # no word cut in two


def test_batched_identifier_is_py3langid_on_the_sample() -> None:
    from harness.text.language import _identifier, detect_languages, language_sample

    texts = list(_MIXED.values())
    for text, guess in zip(texts, detect_languages(texts), strict=True):
        language, confidence = _identifier().classify(language_sample(text))
        assert guess.language == language
        assert abs(guess.confidence - confidence) < 1e-5


def test_sample_decisions_equal_whole_text_decisions() -> None:
    from benchmarks.multilingual import generated_texts
    from harness.corpus import load_corpus
    from harness.text.language import detect_language_whole, detect_languages

    seeds = load_corpus(Path(__file__).resolve().parent.parent / "seeds").articles["body"].to_list()
    generated = [text for kind, text in generated_texts(140) if not kind.startswith("half")]
    texts = [*_MIXED.values(), *seeds, *generated]
    decisions = [g.non_english() for g in detect_languages(texts)]
    assert decisions == [detect_language_whole(t).non_english() for t in texts]
    assert sum(decisions) >= 30  # the foreign texts are really there, and skipped
    expected = {"long french", "short french", "spanish", "german lead", "french body, English quote", "english lead, german body"}
    assert {name for name, skip in zip(_MIXED, decisions, strict=False) if skip} == expected


def test_manifest_states_how_language_was_decided() -> None:
    from harness.text.language import SAMPLE_CHARS, language_resource

    resource = language_resource()
    assert resource.name == "py3langid model.npz.xz"
    assert resource.version.startswith("py3langid==")
    assert f"{SAMPLE_CHARS} characters" in resource.version


def _numpy_text_features(encoded: list[bytes], n_features: int) -> list[tuple[list[int], list[int]]]:
    """Each text's (features, counts) by numpy's walk, longest text first (the definition)."""
    import numpy as np

    from harness.text.language import _feature_counts, _walk

    order = np.argsort([-len(e) for e in encoded], kind="stable")
    features, counts, bounds = _feature_counts(_walk([encoded[i] for i in order]), n_features)
    by_text: list[tuple[list[int], list[int]]] = [([], [])] * len(encoded)
    for column, k in enumerate(order.tolist()):
        low, high = bounds[column], bounds[column + 1]
        by_text[k] = (features[low:high].tolist(), counts[low:high].tolist())
    return by_text


def _text_features_as_lists(encoded: list[bytes], n_features: int) -> list[tuple[list[int], list[int]]]:
    from harness.text.language import _text_features

    order, (features, counts, bounds) = _text_features(encoded, n_features)
    by_text: list[tuple[list[int], list[int]]] = [([], [])] * len(encoded)
    for column, k in enumerate(order.tolist()):
        low, high = bounds[column], bounds[column + 1]
        by_text[k] = (features[low:high].tolist(), counts[low:high].tolist())
    return by_text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")), max_size=70))
def test_the_c_walk_finds_numpys_features(encoded: list[bytes]) -> None:
    """``units.c``'s ``langid_keys`` (used where the diff's core runs compiled) gives every
    text the features and counts of numpy's walk, for any bytes, any lengths (groups of
    32 texts walked side by side, some ending before others)."""
    from harness.text.language import _model, _native_keys
    from harness.wirediff.compiled import core_state

    assert (_native_keys() is not None) == core_state().compiled
    n_features = _model().ptc.shape[0]
    assert _text_features_as_lists(encoded, n_features) == _numpy_text_features(encoded, n_features)


def test_the_c_walk_gives_the_same_scores_on_real_text() -> None:
    """The scores of every text (the seeds, the mixed texts, generated texts in many
    scripts) are the same bytes by either walk."""
    from unittest import mock

    from benchmarks.multilingual import generated_texts
    from harness.corpus import load_corpus
    from harness.text import language

    seeds = load_corpus(Path(__file__).resolve().parent.parent / "seeds").articles["body"].to_list()
    texts = [*_MIXED.values(), *seeds, *(text for _, text in generated_texts(140))]
    encoded = [language._encode(language.language_sample(t)) for t in texts]
    assert len(encoded) > 100
    either = language._scores(encoded)
    with mock.patch.object(language, "_native_keys", lambda: None):
        numpy_only = language._scores(encoded)
    assert either.tobytes() == numpy_only.tobytes()
