"""Issue 14, deliverable 5: hits with offsets (`score --hits`) and `validate loaded-terms`
on the two public formats (BABE-like sentence files, PTC-like span folders).

Every expected value below is worked out by hand from the tiny gold sets the tests write.
The test lexicon (built-in one left out) has three entries: slam (attribution_loaded,
weight 1), chaos (emotive, 0.5) and said (attribution_neutral, 0: not loaded). In VADER's
lexicon slam is -1.6 and chaos -2.7 (both in the |valence| >= 1.5 list), critics -1.2 and
agreed 1.1 (not in it); the other words of the gold sets are not in VADER's lexicon.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import InputError
from harness.scoring import score_documents
from harness.scoring.loaded_gold import detect_format, parse_label, parse_words, read_articles
from harness.scoring.loaded_validation import LOADED_VALIDATION_SCHEMA, validate_loaded_gold

runner = CliRunner()

LEXICON_TSV = (
    "# version: 1\n"
    "term\tcategory\tweight\tsource\tnote\n"
    "slam\tattribution_loaded\t1\ttest\tx\n"
    "chaos\temotive\t0.5\ttest\tx\n"
    "said\tattribution_neutral\t0\ttest\tx\n"
)


@pytest.fixture
def lexicon(tmp_path: Path) -> Path:
    path = tmp_path / "test_lexicon.tsv"
    path.write_text(LEXICON_TSV, encoding="utf-8")
    return path


def measures(table: pl.DataFrame, instrument: str) -> dict[tuple[str, str | None], dict[str, object]]:
    rows = table.filter(pl.col("instrument") == instrument).iter_rows(named=True)
    return {(r["measure"], r["category"]): r for r in rows}


# -- sentences (BABE-like) -----------------------------------------------------------------------

# (text, label, biased words). Words per sentence: 6, 6, 5, 3, 5.
SENTENCES = [
    ("Critics slam the plan as chaos.", "Biased", "['slam', 'chaos', 'the plan']"),
    ("The minister said the plan works.", "Non-biased", "['unicorn']"),
    ("Chaos reigned at the meeting.", "Biased", "['Chaos', 'reigned']"),
    ("Officials slam reporters.", "Non-biased", "[]"),
    ("Nobody agreed on this one.", "No agreement", "['agreed']"),
]


def write_babe(path: Path, rows: list[tuple[str, str, str]] = SENTENCES) -> Path:
    """BABE's layout: `;`-separated, byte order mark, extra columns around ours."""
    lines = ["text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words"]
    for text, label, words in rows:
        lines.append(f'{text};http://x;o;t;left;{label};Entirely factual;"{words}"')
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sentence_measures_by_hand(tmp_path: Path, lexicon: Path) -> None:
    """Lexicon hits: s1 slam (1) + chaos (0.5), s3 Chaos (0.5), s4 slam (1); "said" has weight 0.

    Weighted density (weights per 1,000 words): biased s1 250, s3 100; not biased s2 0,
    s4 333.3: pairs won 250>0, 100>0 of four -> AUC 0.5. Hits per 1,000 words: biased 333.3,
    200; not 0, 333.3 -> 1 + 0.5 (tie) + 1 + 0 = 2.5/4. Hit count: biased 2, 1; not 0, 1
    -> 1 + 1 + 1 + 0.5 = 3.5/4. s5 (No agreement) is left out of the AUCs.
    Tokens: hits cover slam, chaos (s1), Chaos (s3), slam (s4): 4, of which marked 3.
    Marked tokens: s1 slam, the, plan, chaos; s3 Chaos, reigned; s5 agreed = 7 (unicorn is
    not in its sentence). P 3/4, R 3/7, F1 6/11. By category: attribution_loaded 1/2, emotive 2/2.
    """
    gold = write_babe(tmp_path / "babe.csv")
    report = validate_loaded_gold(gold, lexicons=[lexicon], include_builtin=False)
    assert report.format == "sentences" and report.items == 5 and report.left_out == 1
    assert report.table.schema == pl.Schema(LOADED_VALIDATION_SCHEMA)
    lex = measures(report.table, "lexicon")
    assert lex[("auc_weighted_density", None)]["value"] == pytest.approx(0.5)
    assert lex[("auc_density", None)]["value"] == pytest.approx(0.625)
    assert lex[("auc_hit_count", None)]["value"] == pytest.approx(0.875)
    assert lex[("auc_weighted_density", None)]["n"] == 4
    assert lex[("token_precision", None)]["value"] == pytest.approx(3 / 4)
    assert lex[("token_precision", None)]["n"] == 4
    assert lex[("token_recall", None)]["value"] == pytest.approx(3 / 7)
    assert lex[("token_recall", None)]["n"] == 7
    assert "1 marked word(s) not found" in str(lex[("token_recall", None)]["note"])
    assert lex[("token_f1", None)]["value"] == pytest.approx(6 / 11)
    assert lex[("token_precision", "attribution_loaded")]["value"] == pytest.approx(0.5)
    assert lex[("token_precision", "emotive")]["value"] == pytest.approx(1.0)
    assert ("token_precision", "attribution_neutral") not in lex  # weight 0: not a loaded hit


def test_sentence_measures_of_the_vader_word_list(tmp_path: Path, lexicon: Path) -> None:
    """VADER words hit the same four tokens, weight 1 each: weighted density = density.

    Biased s1 2/6, s3 1/5; not biased s2 0, s4 1/3 (per 1,000 words: 333.3, 200 vs 0, 333.3)
    -> AUC 2.5/4 for both densities, 3.5/4 for the count; tokens as for the lexicon.
    """
    report = validate_loaded_gold(write_babe(tmp_path / "babe.csv"), lexicons=[lexicon], include_builtin=False)
    vader = measures(report.table, "vader_words")
    assert vader[("auc_weighted_density", None)]["value"] == pytest.approx(0.625)
    assert vader[("auc_density", None)]["value"] == pytest.approx(0.625)
    assert vader[("auc_hit_count", None)]["value"] == pytest.approx(0.875)
    assert vader[("token_precision", None)]["value"] == pytest.approx(3 / 4)
    assert vader[("token_recall", None)]["value"] == pytest.approx(3 / 7)
    assert vader[("token_precision", "vader_negative")]["value"] == pytest.approx(3 / 4)


def test_other_spellings_give_the_same_figures(tmp_path: Path, lexicon: Path) -> None:
    """TSV, 1/0 labels, an empty cell for no agreement, words as a `;` list; or `,` CSV."""
    spelled = {"Biased": "1", "Non-biased": "0", "No agreement": ""}
    tsv = tmp_path / "gold.tsv"
    lines = ["sentence\tbias_label\tbiased_words"]
    for text, label, words in SENTENCES:
        listed = "; ".join(w.strip("'") for w in words.strip("[]").split(", ") if w)
        lines.append(f"{text}\t{spelled[label]}\t{listed}")
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv_file = tmp_path / "gold.csv"
    pl.DataFrame(
        {
            "text": [s[0] for s in SENTENCES],
            "label_bias": [s[1].lower() for s in SENTENCES],
            "biased_words": [s[2] for s in SENTENCES],
        }
    ).write_csv(csv_file)
    reference = validate_loaded_gold(write_babe(tmp_path / "babe.csv"), lexicons=[lexicon], include_builtin=False)
    for gold in (tsv, csv_file):
        report = validate_loaded_gold(gold, lexicons=[lexicon], include_builtin=False)
        assert report.table.equals(reference.table), gold


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Biased", True), ("biased", True), ("1", True), ("1.0", True), ("TRUE", True), ("loaded", True),
        ("Non-biased", False), ("non biased", False), ("Not_biased", False), ("unbiased", False),
        ("0", False), ("0.0", False), ("No agreement", None), ("  ", None),
    ],
)
def test_label_spellings(raw: str, expected: bool | None) -> None:
    assert parse_label(raw, where="x") is expected


def test_unknown_label_is_an_error() -> None:
    with pytest.raises(InputError, match="'maybe' is not a bias label"):
        parse_label("maybe", where="gold.csv:3")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("['a', 'b c']", ("a", "b c")),
        ('["it\'s"]', ("it's",)),
        ("[]", ()),
        ("", ()),
        ("a; b c", ("a", "b c")),
        ("a,b", ("a", "b")),
        ("a | b", ("a", "b")),
    ],
)
def test_biased_words_spellings(raw: str, expected: tuple[str, ...]) -> None:
    assert parse_words(raw, where="x") == expected


def test_a_plain_label_table_stays_generic_gold(tmp_path: Path) -> None:
    """text + label without a bias-words column is the generic gold set (harness.scoring.gold)."""
    plain = tmp_path / "labels.csv"
    plain.write_text("text,label\nA shocking plan.,loaded\nA plan.,neutral\n", encoding="utf-8")
    assert detect_format(plain) is None
    assert detect_format(write_babe(tmp_path / "babe.csv")) == "sentences"


def test_generic_gold_accepts_bias_label_spellings() -> None:
    """A text + label table with BABE's label values works with the generic validate too."""
    from harness.scoring import validate

    gold = pl.DataFrame({"text": ["A shocking, damning plan.", "The plan was published."], "label": ["Biased", "Non-biased"]})
    table = validate("loaded-terms", gold)
    auc = table.filter(pl.col("measure") == "roc_auc").row(0, named=True)
    assert auc["value"] == pytest.approx(1.0) and auc["n"] == 2


# -- spans (PTC-like) ------------------------------------------------------------------------------

ARTICLES = {
    "1": "Critics slam the plan. It is chaos, total chaos.",  # 9 words
    "2": "The minister said the plan works. Chaos followed.",  # 8 words
    "3": "Nothing happened today at all.",  # 5 words, annotated, no span
    "4": "Critics slam, slam.",  # 3 words, annotated, no span (slam read as a verb twice)
    "5": "Never annotated slam.",  # no label file: left out
}


def span_of(article: str, phrase: str, occurrence: int = 0) -> tuple[int, int]:
    text = ARTICLES[article]
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def write_ptc(folder: Path) -> Path:
    articles = folder / "articles"
    labels = folder / "labels"
    articles.mkdir(parents=True)
    labels.mkdir()
    for article_id, text in ARTICLES.items():
        (articles / f"article{article_id}.txt").write_text(text, encoding="utf-8")

    def line(article_id: str, technique: str, phrase: str, occurrence: int = 0) -> str:
        start, end = span_of(article_id, phrase, occurrence)
        return f"{article_id}\t{technique}\t{start}\t{end}\n"

    (labels / "article1.labels.tsv").write_text(
        line("1", "Loaded_Language", "slam the plan")
        + line("1", "Doubt", "It is chaos")
        + line("1", "Loaded_Language", "total chaos"),
        encoding="utf-8",
    )
    (labels / "article2.task-flc-tc.labels").write_text(line("2", "Loaded_Language", "plan works"), encoding="utf-8")
    (labels / "article3.labels.tsv").write_text("", encoding="utf-8")
    (labels / "article4.task-flc-tc.labels").write_text("\n", encoding="utf-8")
    return folder


def test_span_measures_by_hand(tmp_path: Path, lexicon: Path) -> None:
    """Hits: a1 slam, chaos, chaos; a2 Chaos; a4 slam, slam (6); a5 is not annotated.

    Loaded_Language spans: a1 "slam the plan" (slam), "total chaos" (chaos), a2 "plan works"
    (no hit): recall 2/3. Hits on any span: a1's three (the first chaos lies in Doubt) = 3/6;
    on a Loaded_Language span: slam and the second chaos = 2/6.
    Spearman per article (a3, a2, a1, a4): weighted density 0, 62.5, 222.2, 666.7 -> ranks
    1, 2, 3, 4; Loaded_Language spans per 1,000 words 0, 125, 222.2, 0 -> ranks 1.5, 3, 4, 1.5.
    Centred: (-1.5, -.5, .5, 1.5) and (-1, .5, 1.5, -1): 0.5 / sqrt(5 * 4.5) = 1/sqrt(90).
    """
    report = validate_loaded_gold(write_ptc(tmp_path / "ptc"), lexicons=[lexicon], include_builtin=False)
    assert report.format == "spans" and report.items == 4 and report.left_out == 1
    lex = measures(report.table, "lexicon")
    assert lex[("loaded_span_recall", None)]["value"] == pytest.approx(2 / 3)
    assert lex[("loaded_span_recall", None)]["n"] == 3
    assert lex[("hit_precision_any_span", None)]["value"] == pytest.approx(0.5)
    assert lex[("hit_precision_any_span", None)]["n"] == 6
    assert lex[("hit_precision_loaded_span", None)]["value"] == pytest.approx(1 / 3)
    assert lex[("hit_precision_loaded_span", "attribution_loaded")]["value"] == pytest.approx(1 / 3)
    assert lex[("hit_precision_loaded_span", "emotive")]["value"] == pytest.approx(1 / 3)
    spearman = lex[("spearman_density_loaded_spans", None)]
    assert spearman["value"] == pytest.approx(1 / math.sqrt(90))
    assert spearman["n"] == 4
    assert spearman["p_value"] is not None
    vader = measures(report.table, "vader_words")  # same tokens, weight 1: same ranks
    assert vader[("loaded_span_recall", None)]["value"] == pytest.approx(2 / 3)
    assert vader[("hit_precision_any_span", None)]["value"] == pytest.approx(0.5)
    assert vader[("spearman_density_loaded_spans", None)]["value"] == pytest.approx(1 / math.sqrt(90))


def test_one_label_file_for_all_articles_annotates_the_whole_folder(tmp_path: Path, lexicon: Path) -> None:
    """The 2020 release's single train labels file lists spans only: every article counts
    (so article5, with no span, is an annotated article); a technique-less (span
    identification) line is an annotated span of no technique."""
    folder = write_ptc(tmp_path / "ptc")
    labels = folder / "labels"
    combined = "".join(p.read_text(encoding="utf-8") for p in sorted(labels.iterdir()))
    for p in list(labels.iterdir()):
        p.unlink()
    start, end = span_of("2", "Chaos followed")
    (labels / "train-task-flc-tc.labels").write_text(combined + f"2\t{start}\t{end}\n", encoding="utf-8")
    articles, left_out = read_articles(folder)
    assert [a.article_id for a in articles] == ["1", "2", "3", "4", "5"] and left_out == 0
    assert [s.technique for s in articles[1].spans] == ["Loaded_Language", None]
    report = validate_loaded_gold(folder, lexicons=[lexicon], include_builtin=False)
    lex = measures(report.table, "lexicon")
    assert lex[("hit_precision_any_span", None)]["value"] == pytest.approx(4 / 7)  # + a2 Chaos; + a5 slam
    assert lex[("loaded_span_recall", None)]["value"] == pytest.approx(2 / 3)


def test_span_offsets_index_the_text_as_stored(tmp_path: Path) -> None:
    """Line ends are kept (no newline translation): offsets count every character."""
    folder = tmp_path / "ptc"
    folder.mkdir()
    text = "First line.\r\nA shocking second line."
    (folder / "article9.txt").write_bytes(text.encode("utf-8"))
    start = text.index("shocking")
    (folder / "article9.labels.tsv").write_text(f"9\tLoaded_Language\t{start}\t{start + 8}\n", encoding="utf-8")
    articles, _ = read_articles(folder)
    span = articles[0].spans[0]
    assert articles[0].text[span.start : span.end] == "shocking"


# -- the CLI -------------------------------------------------------------------------------------


def test_validate_json_keys_are_stable(tmp_path: Path, lexicon: Path) -> None:
    for gold, fmt in ((write_babe(tmp_path / "babe.csv"), "sentences"), (write_ptc(tmp_path / "ptc"), "spans")):
        result = runner.invoke(app, ["validate", "loaded-terms", "--gold", str(gold), "--lexicon", str(lexicon), "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert list(report) == ["kind", "format", "items", "left_out", "score", "measures"]
        assert report["format"] == fmt and report["kind"] == "loaded-terms"
        assert "weights per 1,000 words" in report["score"]
        assert {r["instrument"] for r in report["measures"]} == {"lexicon", "vader_words"}
        for row in report["measures"]:
            assert list(row) == list(LOADED_VALIDATION_SCHEMA)


def test_validate_text_output_names_both_instruments(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "loaded-terms", "--gold", str(write_babe(tmp_path / "babe.csv"))])
    assert result.exit_code == 0, result.output
    assert "auc_weighted_density" in result.stdout and "vader_words" in result.stdout
    assert "weighted density: sum of loaded hit weights per 1,000 words" in result.stdout


def test_validate_help_documents_labels_and_the_auc_score() -> None:
    result = runner.invoke(app, ["validate", "--help"], terminal_width=200)
    text = " ".join(result.stdout.split())
    for phrase in ("Biased/Non-biased", "No agreement", "weighted density", "Loaded_Language", "|valence| >= 1.5"):
        assert phrase in text, phrase


# -- score --hits ----------------------------------------------------------------------------------

CORPUS = [
    {"id": "a1", "outlet": "X", "title": "Critics slam “shocking” plan",
     "text": "The would-be assassin fled. Critics said it was chaos.\n\n“It’s a bombshell,” she claimed."},
    {"id": "a2", "outlet": "Y", "title": "Quiet day", "text": "Nothing happened. Officials slammed nobody."},
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_score_hits_file_indexes_the_texts(tmp_path: Path, suffix: str) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CORPUS), encoding="utf-8")
    hits_path = tmp_path / f"hits{suffix}"
    result = runner.invoke(app, ["score", str(corpus), "-f", "json", "--hits", str(hits_path)])
    assert result.exit_code == 0, result.output
    reader = {".csv": pl.read_csv, ".jsonl": pl.read_ndjson, ".parquet": pl.read_parquet}[suffix]
    hits = reader(hits_path)
    for column in ("doc_id", "field", "sentence", "start", "end", "matched", "term", "category", "weight", "loaded", "voice"):
        assert column in hits.columns
    texts = {(r["id"], "headline"): r["title"] for r in CORPUS} | {(r["id"], "body"): r["text"] for r in CORPUS}
    for row in hits.iter_rows(named=True):
        assert texts[(row["doc_id"], row["field"])][row["start"] : row["end"]] == row["matched"]
    assert {"slam", "would-be", "bombshell", "chaos"} <= set(hits["term"].to_list())
    assert set(hits["voice"].to_list()) <= {"narrator", "quoted"}
    bombshell = hits.filter(pl.col("term") == "bombshell").row(0, named=True)
    assert bombshell["voice"] == "quoted" and bombshell["loaded"] is True
    said = hits.filter(pl.col("matched") == "said").row(0, named=True)
    assert said["loaded"] is False and said["weight"] == 0


# Lexicon words (with hyphens, inflections, apostrophes) among random text.
_PIECES = st.sampled_from(
    ["slam", "slammed", "would-be", "so-called", "so called", "chaos", "bombshell", "claims", "’s", "it's",
     "said", "“", "”", "\"", "'", "-", "—", ".", ",", "\n", "\r\n", " ", "  ", "\t", "é", "e\u0301", "🙂", "U.S."]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map("".join)


@given(body=_TEXT, headline=_TEXT)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_hit_indexes_the_scored_text(body: str, headline: str) -> None:
    articles = pl.DataFrame({"doc_id": ["d"], "outlet": ["o"], "headline": [headline], "body": [body]})
    hits = score_documents(articles, workers=1)["hits"]
    for row in hits.iter_rows(named=True):
        text = body if row["field"] == "body" else headline
        assert text[row["start"] : row["end"]] == row["matched"]
        assert row["voice"] in ("narrator", "quoted")


# -- the README block ----------------------------------------------------------------------------


def test_validation_block_for_the_readme(tmp_path: Path) -> None:
    """benchmarks/validate_loaded.py prints the section to paste, with both instruments."""
    from benchmarks.validate_loaded import block

    text = block(write_babe(tmp_path / "babe.csv"), [write_ptc(tmp_path / "ptc")])
    assert text.startswith("## Validation\n")
    assert "the AUCs over the 4 sentences labelled biased or not (1 without agreement left out)" in " ".join(text.split())
    # Built-in lexicon here: the VADER column is known by hand (see the tests above).
    assert "| sentence AUC: loaded hit count |" in text and "| 0.875 |" in text
    assert "| Loaded_Language span recall (spans) |" in text and "0.667 (3) |" in text
    assert "python -m benchmarks.validate_loaded" in text
    assert block(None, []).count("No validation data found") == 1
