"""The table cache (``harness.tablecache``, issue 16 item 2): same values either way.

Each data table kept between runs equals the one built from its package's data,
read back from the cache or not; a damaged entry (truncated arrays, a flipped
byte, a bad index, a value its decoder rejects) and an unwritable cache folder
fall back to building the table, silently; the key follows the source file's
contents; ``harness score`` writes the same bytes with the cache off, cold and warm.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import tablecache
from harness.tablecache import Stored, load_or_build

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(tablecache.CACHE_ENV, str(folder))
    return folder


# -- a toy table: counts its builds ---------------------------------------------------


class Toy:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.builds = 0

    def build(self) -> Stored:
        self.builds += 1
        text = self.source.read_text(encoding="utf-8")
        codes = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.int64)
        return Stored({"codes": codes, "halves": codes / 2}, {"text": text, "words": tuple(text.split())})

    def load(self) -> tuple[dict[str, Any], Any]:
        return load_or_build(
            "toy", sources=[self.source], versions=["toy==1"], build=self.build, decode=_plain
        )


def _plain(stored: Stored) -> tuple[dict[str, Any], Any]:
    return dict(stored.arrays), stored.value


def _same(a: tuple[dict[str, Any], Any], b: tuple[dict[str, Any], Any]) -> None:
    assert list(a[0]) == list(b[0])
    for name in a[0]:
        assert a[0][name].dtype == b[0][name].dtype
        assert np.array_equal(a[0][name], b[0][name])
    assert a[1] == b[1]


@pytest.fixture
def toy(tmp_path: Path) -> Toy:
    source = tmp_path / "source.txt"
    source.write_text("the minister said the talks would resume", encoding="utf-8")
    return Toy(source)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.iterdir()) if cache.exists() else []


def test_built_once_then_read_back_equal(cache: Path, toy: Toy) -> None:
    first = toy.load()
    second = toy.load()
    assert toy.builds == 1
    _same(first, second)
    assert first[1] == {"text": "the minister said the talks would resume",
                        "words": ("the", "minister", "said", "the", "talks", "would", "resume")}
    assert [p.name.startswith("toy-") for p in _entries(cache)] == [True]  # no temporary left
    for arrays in (first[0], second[0]):  # read-only both ways: no caller can write into a table
        assert not any(a.flags.writeable for a in arrays.values())


def test_a_changed_source_is_a_new_entry(cache: Path, toy: Toy) -> None:
    toy.load()
    toy.source.write_text("another text entirely", encoding="utf-8")
    arrays, value = toy.load()
    assert toy.builds == 2
    assert value["text"] == "another text entirely"
    assert len(_entries(cache)) == 2


def test_a_table_without_arrays_keyed_by_its_code_files(cache: Path, tmp_path: Path) -> None:
    """``code`` names the build code's files (a compiled module's own file is no guide):
    a changed code file is a new entry; arrays=False keeps one value, and refuses arrays."""
    source, code = tmp_path / "data.txt", tmp_path / "reader.py"
    source.write_text("a b c", encoding="utf-8")
    code.write_text("# version 1", encoding="utf-8")
    builds: list[int] = []

    def build() -> Stored:
        builds.append(1)
        return Stored(value=tuple(source.read_text(encoding="utf-8").split()))

    def load() -> Any:
        return load_or_build("plain", sources=[source], versions=[], build=build, decode=lambda s: s.value,
                             arrays=False, code=[code])

    assert load() == load() == ("a", "b", "c") and len(builds) == 1
    code.write_text("# version 2", encoding="utf-8")
    assert load() == ("a", "b", "c") and len(builds) == 2
    assert len(_entries(cache)) == 2
    code.unlink()  # code that cannot be read: built every time, nothing stored
    assert load() == ("a", "b", "c") and len(builds) == 3 and len(_entries(cache)) == 2
    with pytest.raises(ValueError, match="arrays in a table declared without them"):
        load_or_build("bad", sources=[source], versions=[], build=lambda: Stored({"x": np.zeros(2)}),
                      decode=lambda s: s.value, arrays=False, code=[source])


def test_cache_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toy: Toy) -> None:
    monkeypatch.setenv(tablecache.CACHE_ENV, "none")
    monkeypatch.chdir(tmp_path)
    toy.load()
    toy.load()
    assert toy.builds == 2
    assert tablecache.cache_root() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.txt"]


def test_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(tablecache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tablecache.cache_root() == tmp_path / "xdg" / "framing-harness"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # XDG: relative paths are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert tablecache.cache_root() == tmp_path / "home" / ".cache" / "framing-harness"
    monkeypatch.setenv(tablecache.CACHE_ENV, str(tmp_path / "mine"))
    assert tablecache.cache_root() == tmp_path / "mine"
    for off in ("none", "None", ""):
        monkeypatch.setenv(tablecache.CACHE_ENV, off)
        assert tablecache.cache_root() is None


def _damage_arrays(entry: Path) -> None:
    for npy in entry.glob("*.npy"):
        npy.write_bytes(npy.read_bytes()[:-5])  # truncated


def _damage_value(entry: Path) -> None:
    stored = bytearray((entry / "value.marshal").read_bytes())
    stored[-3] ^= 0x40  # one flipped bit: the checksum no longer matches
    (entry / "value.marshal").write_bytes(bytes(stored))


def _damage_index(entry: Path) -> None:
    (entry / "index.json").write_text("{not json", encoding="utf-8")


def _remove_value(entry: Path) -> None:
    (entry / "value.marshal").unlink()


@pytest.mark.parametrize("damage", [_damage_arrays, _damage_value, _damage_index, _remove_value])
def test_a_damaged_entry_is_built_again(cache: Path, toy: Toy, damage: Any) -> None:
    fresh = toy.load()
    [entry] = _entries(cache)
    damage(entry)
    again = toy.load()
    assert toy.builds == 2
    _same(fresh, again)


def test_a_value_its_decoder_rejects_is_built_again(cache: Path, toy: Toy) -> None:
    toy.load()
    seen: list[object] = []

    def strict(stored: Stored) -> tuple[dict[str, Any], Any]:
        seen.append(stored.value)
        if len(seen) == 1:  # the stored entry: refused, as a decoder refuses a wrong shape
            raise KeyError("text")
        return _plain(stored)

    value = load_or_build("toy", sources=[toy.source], versions=["toy==1"], build=toy.build, decode=strict)
    assert toy.builds == 2 and len(seen) == 2
    assert value[1]["text"] == "the minister said the talks would resume"


def test_an_unwritable_cache_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toy: Toy) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(tablecache.CACHE_ENV, str(blocker / "cache"))  # under a file: cannot exist
    first, second = toy.load(), toy.load()
    assert toy.builds == 2
    _same(first, second)


def test_a_value_that_cannot_be_stored_leaves_no_temporary(cache: Path, toy: Toy) -> None:
    unstorable = load_or_build(
        "odd", sources=[toy.source], versions=[], build=lambda: Stored(value=object), decode=lambda s: s.value
    )
    assert unstorable is object
    assert _entries(cache) == []


def test_an_entry_stored_meanwhile_by_another_process(cache: Path, toy: Toy) -> None:
    # Two processes building at once: the second rename fails, both get the table.
    toy.load()
    [entry] = _entries(cache)
    tablecache._write(entry, toy.build())
    assert _entries(cache) == [entry]
    _same(toy.load(), _plain(toy.build()))


def test_an_unreadable_source_is_not_cached(cache: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    value = load_or_build("gone", sources=[missing], versions=[], build=lambda: Stored(value=1), decode=lambda s: s.value)
    assert value == 1
    assert _entries(cache) == []


# -- the real tables: stored and read back equal to the freshly built ones ---------------


def _read_back(name: str, cache: Path) -> Stored:
    [entry] = [p for p in _entries(cache) if p.name.startswith(name + "-")]
    stored = tablecache._read(entry)
    assert stored is not None
    return stored


def _stored_by(loader: Any, decode: Callable[[Stored], T], name: str, cache: Path) -> T:
    """What ``loader()`` (a cached table) writes to the cache as ``name``, decoded as
    the next start would read it; ``loader``'s in-memory copy is cleared around it."""
    loader.cache_clear()
    try:
        loader()  # stores it
        return decode(_read_back(name, cache))
    finally:
        loader.cache_clear()


def test_language_model_equals_py3langid(cache: Path) -> None:
    from harness.text import language

    fresh = language._model_decoded(language._model_stored())
    stored = _stored_by(language._model, language._model_decoded, "py3langid-model", cache)
    ident = language._identifier()
    for model in (fresh, stored):
        assert model.classes == tuple(ident.nb_classes)
        assert model.alias_pairs == tuple(ident._alias_pairs)
        assert np.array_equal(model.nextmove, np.frombuffer(ident.tk_nextmove, dtype=ident.tk_nextmove.typecode))
        assert model.nextmove.dtype.itemsize == ident.tk_nextmove.itemsize
        assert model.rowbase.tolist() == ident._rowbase
        assert model.output.tolist() == ident.tk_output
        assert model.ptc.dtype == np.float32 and np.array_equal(model.ptc, np.asarray(ident.nb_ptc, np.float32))
        assert model.pc.dtype == np.float32 and np.array_equal(model.pc, ident.nb_pc)


def test_syllable_table_equals_the_parsed_file(cache: Path) -> None:
    readability = importlib.import_module("harness.scoring.readability")  # not the function of that name
    parsed = readability.parse_syllable_table()
    stored = _stored_by(readability.syllable_table, readability._syllable_table_decoded, "cmudict-syllables", cache)
    assert stored == parsed
    assert list(stored) == list(parsed)  # the same order too
    assert stored["minister"] == 3


def test_hyphenation_equals_the_built_one(cache: Path) -> None:
    from harness.scoring import readability_batch as rb

    built = rb._build_hyphenation()
    stored = _stored_by(rb._hyphenation, rb._hyphenation_decoded, "pyphen-hyphenation", cache)
    for name in ("code", "first", "count", "offsets", "values"):
        assert getattr(stored, name).dtype == getattr(built, name).dtype
        assert np.array_equal(getattr(stored, name), getattr(built, name))
    for name in ("keys",):
        assert list(stored.keys) == list(built.keys)
        for n in built.keys:
            assert all(np.array_equal(s, b) for s, b in zip(stored.keys[n], built.keys[n], strict=True))
    for name in ("prefixes", "dense_keys", "dense_prefixes"):
        ours, theirs = getattr(stored, name), getattr(built, name)
        assert list(ours) == list(theirs)
        assert all(ours[n].dtype == theirs[n].dtype and np.array_equal(ours[n], theirs[n]) for n in theirs)
    for name in ("base", "exact_length", "maxlen", "left", "right", "patterns", "prefix_strings", "number"):
        assert getattr(stored, name) == getattr(built, name)
    words = ["minister", "concessions", "zzqx", "derienzo", "windfalls", "über", "a"]
    rb._hyphenation.cache_clear()
    try:
        assert rb._pyphen_syllables(words) == [
            len(rb.get_pyphen(rb.LANG).positions(w)) + 1 for w in words
        ]
    finally:
        rb._hyphenation.cache_clear()


def test_pyphen_patterns_equal_pyphens(cache: Path) -> None:
    import pyphen

    from harness.scoring import pyphen_patterns
    from harness.scoring.textcounts import LANG

    path = pyphen.LANGUAGES[pyphen.language_fallback(LANG)]
    parsed = pyphen.HyphDict(path)
    built = pyphen_patterns.parsed_patterns(LANG)  # stores it
    stored = pyphen_patterns._decoded(_read_back("pyphen-patterns", cache))
    words = ["minister", "concessions", "hyphenation", "derienzo", "windfalls", "über", "a", "Zürich", "extraordinarily"]
    words += sorted(readability_words())[::50]
    for hyph_dict in (built, stored):
        assert type(hyph_dict) is pyphen.HyphDict
        assert hyph_dict.maxlen == parsed.maxlen
        assert list(hyph_dict.patterns.items()) == list(parsed.patterns.items())
        assert all(type(v) is int for _, values in hyph_dict.patterns.values() for v in values)
        assert [hyph_dict.positions(w) for w in words] == [parsed.positions(w) for w in words]


def readability_words() -> list[str]:
    from harness.scoring.readability import parse_syllable_table

    return list(parse_syllable_table())


def test_pyphen_is_given_the_stored_patterns(tmp_path: Path) -> None:
    # In a fresh process: the first syllable count that needs Pyphen installs them.
    probe = (
        "import pyphen\n"
        "from harness.scoring.textcounts import LANG, _syllables_of_word\n"
        "from textstat.backend.utils._get_pyphen import get_pyphen\n"
        "n = _syllables_of_word('zzqxwindfalls')\n"
        "path = pyphen.LANGUAGES[pyphen.language_fallback(LANG)]\n"
        "fresh = pyphen.HyphDict(path)\n"
        "print(n, get_pyphen(LANG).hd is pyphen.hdcache[path], pyphen.hdcache[path].patterns == fresh.patterns,"
        " len(get_pyphen(LANG).positions('zzqxwindfalls')) + 1)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), tablecache.CACHE_ENV: str(tmp_path / "cache")}
    for _ in range(2):  # cold, then warm
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
        n, same_object, same_patterns, expected = done.stdout.split()
        assert (same_object, same_patterns, n) == ("True", "True", expected), done.stderr[-2000:]


def test_lemma_table_equals_lemminflects(cache: Path) -> None:
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
    from lemminflect.core.Lemmatizer import Lemmatizer

    from harness.scoring import lemmas

    original = LemmaLUCodec.load(Lemmatizer().lemma_lu_fn)
    lemmas.lemma_table()  # stores it
    for table in (lemmas._decoded(lemmas._stored()), lemmas._decoded(_read_back("lemminflect-lemmas", cache))):
        assert len(table) == len(original)
        assert list(table) == list(original)
        for word, entries in original.items():
            assert list(table[word].items()) == list(entries.items())
            assert table.get(word) == entries
        assert table.get("zzqx-not-a-word", {}) == {}
        assert "walked" in table and "zzqx" not in table


def test_all_lemmas_answers_as_lemminflect_does() -> None:
    # lemminflect's own lemmatizer, outside its singleton, reading its own file.
    from lemminflect.core.Lemmatizer import Lemmatizer

    from harness.scoring import lemmas

    own = object.__new__(Lemmatizer)
    own.__init__()
    words = ["walked", "Walked", "WALKED", "said", "claims", "better", "children", "ran", "zzqx", "", "It's", "data"]
    words += list(lemmas.lemma_table())[::97]
    for word in words:
        assert lemmas.all_lemmas(word) == own.getAllLemmas(word), word
        assert lemmas.all_lemmas(word, "VERB") == own.getAllLemmas(word, "VERB"), word


@functools.cache
def _own_lemmatizer() -> Any:
    """lemminflect's own lemmatizer, outside its singleton, reading its own files."""
    from lemminflect.core.Lemmatizer import Lemmatizer

    own = object.__new__(Lemmatizer)
    own.__init__()
    return own


def test_lemmas_of_any_upos_are_lemminflects_for_every_word_it_knows() -> None:
    """``all_lemmas(word)`` skips lemminflect's deep copies: the same dicts, items in the
    same order, for every word of its table and of its overrides (as the lexicon asks,
    lower-cased), for a sample in other capitals, and for words it does not know."""
    from harness.scoring import lemmas

    own = _own_lemmatizer()
    known = [*lemmas.lemma_table(), *own._getOverridesDict()]
    assert len(known) > 50_000
    for word in known:
        assert list(lemmas.all_lemmas(word).items()) == list(own.getAllLemmas(word).items()), word
    for word in known[::50]:
        for variant in (word.capitalize(), word.upper(), word + "'s", word.title()):
            assert list(lemmas.all_lemmas(variant).items()) == list(own.getAllLemmas(variant).items()), variant
    assert lemmas.all_lemmas("walked") is not lemmas.all_lemmas("walked")  # a caller may change its copy


@given(st.text(alphabet=st.sampled_from("aeiouwlkdsrnty'İıϒǅßẞ-1 "), max_size=10))
@settings(max_examples=300, deadline=None)
def test_lemmas_of_any_upos_are_lemminflects_for_any_text(word: str) -> None:
    from harness.scoring import lemmas

    own = _own_lemmatizer()
    assert list(lemmas.all_lemmas(word).items()) == list(own.getAllLemmas(word).items())
    assert lemmas.all_lemmas(word) == lemmas.all_lemmas(word)


# -- the command: the same bytes with the cache off, cold and warm -----------------------


def _corpus(path: Path) -> Path:
    bodies = [
        "The minister said on Tuesday that the talks would resume next week. \"We are not there yet,\" "
        "an official told reporters, adding that both sides had made concessions over the summer.",
        "Le ministre a déclaré mardi que les négociations reprendraient la semaine prochaine, "
        "a-t-il ajouté devant les journalistes réunis à Paris pour la conférence de presse annuelle.",
        "Critics slammed the reckless plan, warning it would devastate communities and cripple "
        "the economy; supporters insisted the reforms were long overdue.",
    ]
    rows = [{"doc_id": f"d{i}", "outlet": f"Outlet {i % 2}", "headline": f"Talks {i}", "body": body}
            for i, body in enumerate(bodies)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _score(corpus: Path, output: Path, cache: str) -> tuple[bytes, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), tablecache.CACHE_ENV: cache}
    argv = [sys.executable, "-m", "harness", "score", str(corpus), "--format", "jsonl", "-o", str(output)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    warnings = "".join(line for line in done.stderr.splitlines(keepends=True) if line.startswith("warning:"))
    return output.read_bytes(), warnings


def test_score_writes_the_same_bytes_with_the_cache_off_cold_and_warm(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl")
    cache = tmp_path / "cache"
    off = _score(corpus, tmp_path / "off.jsonl", "none")
    cold = _score(corpus, tmp_path / "cold.jsonl", str(cache))
    names = sorted(p.name.rsplit("-", 1)[0] for p in cache.iterdir())
    assert names == ["cmudict-syllables", "lemminflect-lemmas", "py3langid-model", "pyphen-hyphenation"]
    # (Pyphen's own patterns are stored when a text needs textstat's per-text path.)
    warm = _score(corpus, tmp_path / "warm.jsonl", str(cache))
    assert off == cold == warm
    assert "d1 not scored (language: fr" in off[1]
    assert [json.loads(line)["doc_id"] for line in off[0].decode().splitlines()] == ["d0", "d2"]
