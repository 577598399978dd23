"""The full scorecard's per-text stages, made faster (issue 16), give the same values.

Each fast stage is compared with a plain reference kept here: the per-token bisects
for voices and sentences, the run grouping for voice fragments, the token-by-token
matcher loop and the subject tracking over every sentence. Then whole tables: a
batch of articles scored at once equals the articles scored one at a time.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.scoring import attribution
from harness.scoring.attribution import QuoteAttribution, attribute_quotes
from harness.scoring.lexicon import TermHit, TermMatcher, load_lexicons
from harness.scoring.score import score_documents, score_slices
from harness.scoring.readability import letters
from harness.scoring.textcounts import syllable_count
from harness.scoring.units import SENTENCE_FINAL, Span, analyse_text, analyse_texts
from harness.text import Token, Voice, find_quotes, split_sentences, tokenize
from harness.text.tokens import TokenKind, TokenView

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_bed8e93c8511a76b.txt"

# Text that exercises quotations, attribution verbs, hyphens and sentence ends.
PIECES = [
    "said", "claimed", "the", "claims", "a", "lot", "of", "in", "fact", "witch", "hunt",
    "witch-hunt", "would-be", "so-called", "Mr", "Smith", "she", "He", "told", "reporters",
    "2,000", "U.S.", "slammed", "warned", "Officials", "insisted", "it", "was", "bizarre",
    ".", ",", ":", "?", "!", "-", "\u2014", "\"", "\u201c", "\u201d", "'", "\u2018", "\u2019",
    "\n\n", "don't", "Ukraine's",
]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join) | st.text(
    alphabet=st.sampled_from("ab A.,:\"'\u201c\u201d-\n 1"), max_size=80
)


def seed_texts() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]


# -- references: the code before the batch rewrite ---------------------------------


def reference_voices(text: str, tokens: Sequence[Token]) -> list[Voice]:
    quotes = find_quotes(text)
    starts = [q.start for q in quotes]
    voices = []
    for token in tokens:
        index = bisect.bisect_right(starts, token.start) - 1
        inside = index >= 0 and token.start < quotes[index].end
        voices.append(Voice.QUOTED if inside else Voice.NARRATOR)
    return voices


def reference_sentence_of_token(text: str, tokens: Sequence[Token]) -> list[int]:
    sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    out = []
    for token in tokens:
        k = bisect.bisect_right(starts, token.start) - 1
        out.append(k if k >= 0 and token.start < sentences[k].end else -1)
    return out


def reference_spans(tokens: Sequence[Token], voices: Sequence[Voice], voice: Voice) -> tuple[Span, ...]:
    spans = []
    for run_voice, run in itertools.groupby(zip(tokens, voices, strict=True), key=lambda p: p[1]):
        if run_voice is not voice:
            continue
        toks = [t for t, _ in run]
        words = [k for k, t in enumerate(toks) if t.is_word]
        if not words:
            continue
        last = words[-1]
        while last + 1 < len(toks) and toks[last + 1].text in SENTENCE_FINAL:
            last += 1
        spans.append((toks[words[0]].start, toks[last].end))
    return tuple(spans)


def reference_match(matcher: TermMatcher, tokens: Sequence[Token]) -> list[TermHit]:
    hits = []
    i = 0
    while i < len(tokens):
        if not (tokens[i].is_word and matcher._candidates(tokens[i])):
            i += 1
            continue
        best = matcher._best_at(TokenView.of(tokens), i)
        if best is None:
            i += 1
            continue
        hits.append(best[0])
        i = best[1]
    return hits


class _EagerSubject(attribution._Attributor):
    """The running subject worked out after every sentence, every narrator word of its
    opening read (``_Attributor`` reads a sentence only when a pronoun asks)."""

    eager: attribution.Mention | None = None

    @property
    def subject(self) -> attribution.Mention | None:
        return self.eager

    def update_subject(self, sentence_index: int, speakers: list[attribution.Mention]) -> None:
        named = [s for s in speakers if s.method != "description"]
        if named:
            self.eager = named[-1]
            return
        sentence = self.units.sentences[sentence_index]
        words = self._narrator_words_between(sentence.first_token, sentence.stop_token)[: attribution.SUBJECT_WINDOW]
        if not words or self._is_pronoun(words[0]):
            return
        for i in words:
            if self._is_name_word(i) and not self._is_possessive(i):
                run = self._name_starting_at(i, upper=sentence.stop_token)
                if run is not None:
                    self.eager = run
                return


def reference_attribution(text: str, hits: Sequence[TermHit]) -> list[QuoteAttribution]:
    """Subject tracking over every sentence, every narrator word read."""
    units = analyse_text(text)
    attributor = _EagerSubject(units, hits)
    attributor._narrator_words_between = lambda first, stop, limit=None: [  # type: ignore[method-assign]
        i for i in range(first, stop) if units.tokens[i].is_word and units.voices[i] is Voice.NARRATOR
    ]
    starts = [t.start for t in units.tokens]
    by_sentence: dict[int, list[tuple[int, int, int]]] = {}
    quotes = find_quotes(text)
    for n, quote in enumerate(quotes):
        first, stop = bisect.bisect_left(starts, quote.start), bisect.bisect_left(starts, quote.end)
        if first < stop and units.sentence_of_token[first] >= 0:
            by_sentence.setdefault(units.sentence_of_token[first], []).append((n, first, stop - 1))
    results = []
    for k in range(len(units.sentences)):
        speakers = []
        for n, first, last in by_sentence.get(k, []):
            quote = quotes[n]
            verb, method = attributor.verb_for(quote, first, last)
            speaker = attributor.speaker_of(verb, quote) if verb is not None else None
            if speaker is not None:
                speakers.append(speaker)
            words = sum(1 for t in units.tokens[first : last + 1] if t.is_word)
            results.append(QuoteAttribution(n, quote.start, quote.end, words, speaker, verb, method))
        attributor.update_subject(k, speakers)
    return results


# -- stage by stage -------------------------------------------------------------------

MATCHER = TermMatcher(load_lexicons())


def check_text(text: str) -> None:
    units = analyse_text(text)
    tokens = list(units.tokens)
    assert list(units.voices) == reference_voices(text, tokens)
    assert list(units.sentence_of_token) == reference_sentence_of_token(text, tokens)
    for sentence in units.sentences:
        toks = tokens[sentence.first_token : sentence.stop_token]
        vois = units.voices[sentence.first_token : sentence.stop_token]
        assert sentence.narrator_spans == reference_spans(toks, vois, Voice.NARRATOR)
        assert sentence.quoted_spans == reference_spans(toks, vois, Voice.QUOTED)
        assert sentence.words == sum(t.is_word for t in toks)
        assert sentence.quoted_words == sum(
            t.is_word and v is Voice.QUOTED for t, v in zip(toks, vois, strict=True)
        )
    hits = MATCHER.match(tokens)
    assert hits == reference_match(MATCHER, tokens)
    assert attribute_quotes(units, hits) == reference_attribution(text, hits)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_stages_equal_the_references_on_generated_text(text: str) -> None:
    check_text(text)


def test_stages_equal_the_references_on_the_seed() -> None:
    for text in seed_texts():
        check_text(text)


def test_a_seed_text_has_quotes_hits_and_attributions() -> None:
    """The comparison above is not vacuous on the seed: every stage has output."""
    body = max(seed_texts(), key=len)
    units = analyse_text(body)
    hits = MATCHER.match(list(units.tokens))
    assert any(v is Voice.QUOTED for v in units.voices)
    assert len(hits) > 0
    assert any(a.speaker is not None for a in attribute_quotes(units, hits))


def test_tokens_are_values() -> None:
    token = tokenize("Officials said.")[1]
    assert token == Token("said", 10, 14, TokenKind.WORD)
    assert (token.text, token.start, token.end, token.is_word) == ("said", 10, 14, True)


# -- whole tables ---------------------------------------------------------------------


def articles(bodies: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(len(bodies))],
            "outlet": ["A" if i % 2 else "B" for i in range(len(bodies))],
            "headline": [body.split(".")[0][:80] for body in bodies],
            "body": list(bodies),
        }
    )


def one_at_a_time(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Each article scored alone, the per-article tables stacked (documents, hits, quotes)."""
    parts = [score_documents(frame.slice(i, 1), workers=1) for i in range(frame.height)]
    return {name: pl.concat([p[name] for p in parts]) for name in ("documents", "hits", "quotes", "sentences")}


def test_a_batch_equals_articles_scored_one_at_a_time() -> None:
    bodies = [*seed_texts(), "He said: \"it is a witch-hunt\". Officials claimed it was bizarre.", ""]
    frame = articles(bodies)
    together = score_documents(frame, workers=1)
    alone = one_at_a_time(frame)
    for name, table in alone.items():
        assert together[name].equals(table), name


@settings(max_examples=15, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_a_batch_equals_articles_scored_one_at_a_time_on_generated_text(bodies: list[str]) -> None:
    frame = articles(bodies)
    together = score_documents(frame, workers=1)
    alone = one_at_a_time(frame)
    for name, table in alone.items():
        assert together[name].equals(table), name


# -- worker processes: even batches, slices scored ahead (issue 16, item 3) -------------


@pytest.mark.parametrize(
    ("documents", "workers", "size"),
    [(445, 2, 112), (192, 2, 96), (2_225, 2, 186), (100, 1, 100), (1, 2, 1), (193, 1, 97), (384, 2, 192)],
)
def test_batches_are_shared_evenly_between_workers(documents: int, workers: int, size: int) -> None:
    from harness.scoring.batch import BATCH_DOCS, even_batch_size

    got = even_batch_size(documents, workers)
    assert got == size and got <= BATCH_DOCS
    n_batches = -(-documents // got)
    assert n_batches % workers == 0 or n_batches == 1


def slice_bodies() -> list[str]:
    extra = ["He said: \"it is a witch-hunt\". Officials claimed it was bizarre.", "", "'Yes,' she told reporters."]
    return [*seed_texts(), *extra] * 3


def test_slices_equal_each_slice_scored_alone() -> None:
    frame = articles(slice_bodies())
    sliced = [part.tables for part in score_slices(frame, 4, workers=1)]
    assert len(sliced) == -(-frame.height // 4)
    for k, tables in enumerate(sliced):
        alone = score_documents(frame.slice(4 * k, 4), workers=1)
        assert list(tables) == list(alone)
        for name, table in alone.items():
            assert tables[name].equals(table), (k, name)


def test_slices_in_worker_processes_equal_slices_in_this_process() -> None:
    """The workers score ahead of the slice being built: same tables, same order."""
    from harness.scoring.batch import shutdown_workers

    frame = articles(slice_bodies())
    here = [part.tables for part in score_slices(frame, 5, workers=1, tables=("documents", "quotes"))]
    try:
        there = [part.tables for part in score_slices(frame, 5, workers=2, tables=("documents", "quotes"))]
    finally:
        shutdown_workers()
    assert len(here) == len(there) == -(-frame.height // 5)
    for mine, theirs in zip(here, there, strict=True):
        assert list(mine) == list(theirs) == ["documents", "quotes"]
        for name in mine:
            assert mine[name].equals(theirs[name]), name


def test_only_the_tables_asked_for_are_built_and_equal_the_whole_set() -> None:
    frame = articles(slice_bodies()[:6])
    every = score_documents(frame, workers=1)
    for wanted in (("documents",), ("hits", "speakers"), ("rates", "sentences"), ("metrics",), ("rates",), ("quotes",)):
        some = score_documents(frame, workers=1, tables=wanted)
        assert set(some) == set(wanted)
        for name in wanted:
            assert some[name].equals(every[name]), name


def test_an_unknown_table_name_is_refused() -> None:
    from harness.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown table"):
        score_documents(articles(["Text."]), workers=1, tables=("documents", "nope"))
    with pytest.raises(ConfigError, match="slice_size must be at least 1"):
        next(score_slices(articles(["Text."]), 0, workers=1))


# -- the tokeniser reads the kind by group number --------------------------------------


def reference_tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokeniser before: one match at a time, the kind from the group's name (``lastgroup``)."""
    from harness.text.tokens import _KIND, _TOKEN_RE

    return [
        Token(m.group(), m.start() + offset, m.end() + offset, _KIND[m.lastgroup or ""])
        for m in _TOKEN_RE.finditer(text)
    ]


# Characters of every kind the tokeniser treats apart: gaps (\x1c, NEL, NBSP, ideographic
# space), combining marks, digits of other scripts, apostrophes, dots, commas, symbols.
ODD_CHARACTERS = "a\u00e9Z9\u0663_ .,'\u2019-\u2014\u0301\u0915\u093f\x1c\x1f\x85\u00a0\u3000\t\n\u00b2\u00bd$\U0001f600"


@settings(max_examples=500, deadline=None)
@given(st.text() | texts | st.text(alphabet=st.sampled_from(ODD_CHARACTERS)), st.integers(min_value=0, max_value=1_000))
def test_tokens_equal_the_reference_on_any_text(text: str, offset: int) -> None:
    from harness.text.tokens import tokenize_by_matches

    expected = reference_tokenize(text)
    assert tokenize(text) == expected
    assert tokenize_by_matches(text) == expected
    assert tokenize(text, offset) == reference_tokenize(text, offset)


def test_every_character_is_a_gap_or_starts_a_token() -> None:
    """What the one-match reading relies on: each code point either starts a token (a word
    or mark character, or punctuation) or is a gap the match-by-match reading skips, never both."""
    import sys

    import regex

    from harness.text.tokens import _GAP

    points = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    gaps = set(regex.findall(_GAP, points))
    starts = set(regex.findall(r"[\w\p{M}]|[^\w\s\p{M}\x1c-\x1f]", points))
    assert gaps.isdisjoint(starts)
    assert len(gaps) + len(starts) == len(points)
    assert {"\x1c", " ", "\u3000", "\n"} <= gaps


def test_a_long_text_is_read_match_by_match_with_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one match holds every capture until read: past ONE_MATCH_CHARS memory stays bounded."""
    from harness.text import tokens

    text = "He said \"yes\" at 3.5 p.m. in the U.S.\n" * 50
    whole = tokens.tokenize(text, 7)
    monkeypatch.setattr(tokens, "ONE_MATCH_CHARS", 100)
    assert tokens.tokenize(text, 7) == whole == reference_tokenize(text, 7)


def test_every_token_kind_is_read() -> None:
    got = tokenize("U.S. 1,200 don't \u2014")
    assert [(t.text, t.kind) for t in got] == [
        ("U.S.", TokenKind.WORD), ("1,200", TokenKind.NUMBER), ("don't", TokenKind.WORD), ("\u2014", TokenKind.PUNCT)
    ]


def test_workers_are_started_ahead_only_for_a_job_that_uses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """`harness score` starts the pool before language identification, without waiting."""
    from harness.scoring import pool as scoring_pool

    started: list[int] = []
    monkeypatch.setattr(scoring_pool, "default_workers", lambda: 2)
    monkeypatch.setattr(scoring_pool, "_pool", None)
    monkeypatch.setattr(scoring_pool, "_executor", lambda workers: started.append(workers))
    scoring_pool.prestart_workers_for(20)
    assert started == []  # a small job scores in this process
    scoring_pool.prestart_workers_for(22_250)
    assert started == [2]


def test_a_new_pool_spawns_every_worker_at_once_with_ctrl_c_blocked_only_then() -> None:
    """One short window in which Ctrl-C is blocked (the workers inherit it), not one per task."""
    import signal

    from harness.engines import worker_start

    seen: list[object] = []

    class FakePool:
        def submit(self, function: object) -> None:
            seen.append((function, signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])))

    before = signal.getsignal(signal.SIGINT)
    worker_start.spawn_every_worker(FakePool(), 3)  # type: ignore[arg-type]
    assert seen == [(worker_start._started, True)] * 3  # one task per process: all three start
    assert signal.getsignal(signal.SIGINT) is before
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_a_new_pool_s_results_come_through_a_wide_pipe() -> None:
    """The pool's thread reads a result of megabytes in a few reads, not one per 64 KiB
    (each of which waited for the GIL while this process worked)."""
    import fcntl

    from harness.engines import worker_start
    from harness.engines.processes import kill_pool

    pool = worker_start.new_pool(1, worker_start._started)
    try:
        reader = pool._result_queue._reader  # type: ignore[attr-defined]
        if hasattr(fcntl, "F_GETPIPE_SZ"):
            assert fcntl.fcntl(reader.fileno(), fcntl.F_GETPIPE_SZ) >= min(
                worker_start.RESULT_PIPE_BYTES, int(Path("/proc/sys/fs/pipe-max-size").read_text())
            )
        assert pool.submit(bytes, 3 * worker_start.RESULT_PIPE_BYTES).result(timeout=60) == bytes(3 * worker_start.RESULT_PIPE_BYTES)
    finally:
        kill_pool(pool)


# -- sentence rows and word tokens, a column at a time ----------------------------------


def reference_views(units: object, key: dict[str, object]) -> tuple[dict[str, list[object]], list[str]]:
    """The row-by-row sentence columns and readability texts (the code before)."""
    from harness.scoring import batch
    from harness.scoring.units import VIEWS, View

    assert isinstance(units, batch.TextUnits)
    columns: dict[str, list[object]] = {name: [] for name in batch._SENTENCE_COLUMNS}
    texts: list[str] = []
    text = units.text
    for view_index, view in enumerate(VIEWS):
        pieces: list[str] = []
        for sentence in units.sentences:
            spans = sentence.spans(view)
            sentence_text = " ".join([text[s:e] for s, e in spans])
            if not sentence_text:
                continue
            pieces.append(sentence_text)
            for name in batch._SENTENCE_KEYS:
                columns[name].append(key[name])
            columns["voice"].append(view.value)
            columns[batch.VIEW].append(view_index)
            columns["index"].append(sentence.index)
            columns["start"].append(sentence.start)
            columns["end"].append(sentence.end)
            columns["spans"].append(";".join([f"{s}:{e}" for s, e in spans]))
            columns["text"].append(sentence_text)
            columns["words"].append(sentence.words_in(view))
            columns["quoted_share"].append(sentence.quoted_share)
        texts.append(text if view is View.ALL else batch._joined_sentences(pieces))
    return columns, texts


def reference_words(units: object) -> tuple[list[str], list[str]]:
    from harness.scoring.units import TextUnits

    assert isinstance(units, TextUnits)
    pairs = [(t.text, v.value) for t, v in zip(units.tokens, units.voices, strict=True) if t.kind is TokenKind.WORD]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_sentence_rows_and_words_equal_the_row_by_row_code(text: str) -> None:
    from harness.scoring import batch

    units = analyse_text(text)
    key: dict[str, object] = {batch.DOC: 3, batch.FIELD: 1, "doc_id": "d", "outlet": "o", "field": "body"}
    out = batch._Collector()
    batch._collect_views(out, key, units)
    columns, readability_texts = reference_views(units, key)
    assert out.sentences == columns
    assert out.readability_texts == readability_texts
    analysed = analyse_texts([text])
    collected = batch._Words()
    collected.add(analysed, np.array([3]), np.array([1]))
    words = batch._words_frame(collected)
    texts, voices = reference_words(units)
    assert words["_quoted"].to_list() == [v == Voice.QUOTED.value for v in voices]
    assert words["letters"].to_list() == [letters(w) for w in texts]
    assert words["syllables"].to_list() == [syllable_count(w.lower()) for w in texts]
    assert words[batch.DOC].to_list() == [3] * len(texts)
    assert words[batch.FIELD].to_list() == [1] * len(texts)


def test_documents_alone_need_no_attribution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quotes and speakers are the only tables attribution feeds: `harness score` skips it."""
    from harness.scoring import batch

    frame = articles(slice_bodies()[:5])
    every = score_documents(frame, workers=1)

    def refuse(*_: object) -> None:
        raise AssertionError("attribution ran")

    monkeypatch.setattr(batch, "attribute_quotes", refuse)
    alone = score_documents(frame, workers=1, tables=("documents", "hits"))
    assert alone["documents"].equals(every["documents"])
    assert alone["hits"].equals(every["hits"])
    with pytest.raises(AssertionError, match="attribution ran"):
        score_documents(frame, workers=1, tables=("speakers",))


# -- word length statistics: counted in tables vs polars' group-by ------------------------

_WORD_ROWS = st.lists(
    st.tuples(
        st.integers(0, 40),  # document
        st.integers(0, 1),  # field
        st.booleans(),  # quoted
        st.integers(0, 80),  # letters: above 63 the batch goes to the group-by
        st.integers(0, 12),  # syllables
    ),
    max_size=300,
)


def _words(rows: list[tuple[int, int, bool, int, int]], first_doc: int = 0) -> pl.DataFrame:
    from harness.scoring.batch import DOC, FIELD

    doc, field, quoted, letters_, syllables = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    return pl.DataFrame(
        {
            DOC: [d + first_doc for d in doc],
            FIELD: list(field),
            "_quoted": list(quoted),
            "letters": list(letters_),
            "syllables": list(syllables),
        },
        schema={DOC: pl.Int64(), FIELD: pl.Int64(), "_quoted": pl.Boolean(), "letters": pl.Int64(), "syllables": pl.Int64()},
    )


@settings(max_examples=300, deadline=None)
@given(_WORD_ROWS, st.integers(0, 30_000))
def test_word_length_counts_equal_the_group_by(rows: list[tuple[int, int, bool, int, int]], first_doc: int) -> None:
    """Every statistic (means, shares, the median of odd and even groups) is the same
    float as polars' group-by gives, for every (document, field, voice) group; a batch
    with a word of 64 letters or more takes the group-by itself."""
    from harness.scoring.batch import DOC, FIELD, _word_length_counts, word_length_stats, word_length_stats_by_group

    words = _words(rows, first_doc)
    expected = word_length_stats_by_group(words).sort(DOC, FIELD, "voice")
    got = word_length_stats(words)
    assert got.schema == expected.schema
    assert got.sort(DOC, FIELD, "voice").equals(expected)
    counted = _word_length_counts(words)
    if rows and max(r[3] for r in rows) < 64:
        assert counted is not None and counted.equals(got)  # the counting path was taken
    else:
        assert counted is None


def test_word_length_counts_known_values() -> None:
    """Hand-worked values: one body, narrator words of 2, 4, 9 letters, a quoted word of 7."""
    from harness.scoring.batch import word_length_stats

    words = _words([(0, 1, False, 2, 1), (0, 1, False, 4, 1), (0, 1, False, 9, 3), (0, 1, True, 7, 2)])
    table = {row["voice"]: row for row in word_length_stats(words).iter_rows(named=True)}
    assert table["all"]["word_letters_mean"] == 5.5
    assert table["all"]["word_letters_median"] == 5.5  # (4 + 7) / 2
    assert table["all"]["long_word_share"] == 0.5
    assert table["all"]["syllables_per_word"] == 1.75
    assert table["all"]["polysyllable_share"] == 0.25
    assert table["narrator"]["word_letters_median"] == 4.0
    assert table["narrator"]["word_letters_mean"] == 5.0
    assert table["quoted"]["word_letters_median"] == 7.0
    assert set(table) == {"all", "narrator", "quoted"}
