"""Reading the two public annotation formats for loaded language, as their authors ship them.

* **sentences** (like BABE, Spinde et al. 2021): a CSV or TSV (separator ``,``, ``;`` or
  tab, found from the header; UTF-8, a byte order mark is fine) with a text column
  (``text`` or ``sentence``), a bias label (``label_bias``, ``bias_label``, ``label``,
  ``bias`` or ``biased``) and a list of the words the annotators marked
  (``biased_words``, ``bias_words`` or ``loaded_words``). The file is taken to be in
  this format when its header has ``label_bias``/``bias_label`` or a biased-words
  column; any other table is a generic gold set (``harness.scoring.gold``).
  Label values (case, spaces and ``_`` do not matter): biased = ``Biased``, ``biased``,
  ``1``, ``true``, ``yes``, ``loaded``; not biased = ``Non-biased``, ``non biased``,
  ``not biased``, ``unbiased``, ``0``, ``false``, ``no``, ``neutral``; left out of the
  AUC (kept for the word measures) = ``No agreement`` or an empty cell. The words are
  a Python-list string (``['a', 'b']``) or a list separated by ``;``, ``,`` or ``|``;
  an entry may be a phrase.
* **spans** (like the SemEval-2020 Task 11 propaganda techniques corpus): a folder
  holding ``article<ID>.txt`` files and label files (names ending ``.labels`` or
  ``.labels.tsv``, anywhere under the folder: per article, ``article<ID>.labels.tsv``,
  ``article<ID>.task-flc-tc.labels``, or one file for all articles). A label line is
  ``ID<tab>TECHNIQUE<tab>START<tab>END``: character offsets into the article's text as
  stored (read as UTF-8, line ends kept). A line ``ID<tab>START<tab>END`` (span
  identification, no technique) is a span of no named technique. Articles are the
  ones a label names or that have their own label file (an empty file: annotated, no
  span); when a file covers several articles, every article in the folder counts as
  annotated (articles with no span are not listed in such files).

Every problem is an ``InputError`` naming the file and line.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.errors import InputError, at

GoldFormat = Literal["sentences", "spans"]

TEXT_COLUMNS: tuple[str, ...] = ("text", "sentence")
LABEL_COLUMNS: tuple[str, ...] = ("label_bias", "bias_label", "label", "bias", "biased")
WORDS_COLUMNS: tuple[str, ...] = ("biased_words", "bias_words", "loaded_words")
# Columns that say "this is a sentence bias file" (a plain `label` does not: generic gold).
_MARKER_COLUMNS: tuple[str, ...] = ("label_bias", "bias_label", *WORDS_COLUMNS)
_SEPARATORS: tuple[str, ...] = ("\t", ";", ",")

BIASED_LABELS: tuple[str, ...] = ("biased", "1", "true", "yes", "loaded")
NOT_BIASED_LABELS: tuple[str, ...] = (
    "non-biased",
    "non biased",
    "nonbiased",
    "not biased",
    "not-biased",
    "unbiased",
    "0",
    "false",
    "no",
    "neutral",
)
LEFT_OUT_LABELS: tuple[str, ...] = ("no agreement", "")
LABEL_HINT = (
    "use Biased/Non-biased, biased/non-biased, 1/0, true/false or loaded/neutral; "
    "No agreement or an empty cell is left out"
)

LOADED_LANGUAGE = "Loaded_Language"
ARTICLE_RE = re.compile(r"article(?P<id>[^./\\]+)\.txt")
_PER_ARTICLE_LABELS_RE = re.compile(r"article(?P<id>[^./\\]+)\..*")
LABEL_SUFFIXES: tuple[str, ...] = (".labels", ".labels.tsv")


@dataclass(frozen=True, slots=True)
class Sentence:
    line: int  # where the record ends in the file (for messages)
    text: str
    biased: bool | None  # None: left out of the label measures
    words: tuple[str, ...]  # marked words or phrases, as written


@dataclass(frozen=True, slots=True)
class Span:
    technique: str | None  # None: a span identification line (no technique)
    start: int
    end: int

    @property
    def loaded_language(self) -> bool:
        return self.technique is not None and _technique_key(self.technique) == "loaded_language"


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    path: Path
    text: str
    spans: tuple[Span, ...]


def _technique_key(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def _column_key(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip().lstrip("\ufeff").lower())


# -- which format ----------------------------------------------------------------------------


def detect_format(path: Path) -> GoldFormat | None:
    """``sentences``, ``spans`` or None (a generic gold table: ``harness.scoring.gold``)."""
    if path.is_dir():
        has_articles = any(ARTICLE_RE.fullmatch(p.name) for p in path.rglob("article*.txt"))
        return "spans" if has_articles or _label_files(path) else None
    if not path.is_file() or path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16).decode("utf-8-sig", errors="replace")
    except OSError:
        return None  # the generic reader names the problem
    header = _header(first)
    return "sentences" if header is not None and set(header[1]) & set(_MARKER_COLUMNS) else None


def _header(first_line: str) -> tuple[str, list[str]] | None:
    """(separator, column keys) of the first separator that yields a text column."""
    for separator in _SEPARATORS:
        fields = next(csv.reader([first_line.rstrip("\r\n")], delimiter=separator), [])
        keys = [_column_key(f) for f in fields]
        if len(keys) > 1 and set(keys) & set(TEXT_COLUMNS):
            return separator, keys
    return None


# -- sentences ---------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"invalid UTF-8 at byte offset {exc.start}",
            where=at(path, data.count(b"\n", 0, exc.start) + 1),
            hint="save the file as UTF-8",
        ) from None


def _pick(keys: list[str], names: tuple[str, ...], what: str, path: Path) -> int:
    for name in names:
        if name in keys:
            return keys.index(name)
    raise InputError(
        f"no {what} column (columns: {', '.join(k for k in keys if k)})",
        where=path,
        hint=f"name it one of: {', '.join(names)}",
    )


def parse_label(raw: str, *, where: str) -> bool | None:
    """True (biased), False (not biased) or None (left out); unknown values are errors."""
    key = " ".join(raw.replace("_", " ").split()).lower()
    if re.fullmatch(r"[01]\.0+", key):
        key = key[0]
    if key in BIASED_LABELS:
        return True
    if key in NOT_BIASED_LABELS:
        return False
    if key in LEFT_OUT_LABELS:
        return None
    raise InputError(f"label {raw!r} is not a bias label", where=where, hint=LABEL_HINT)


def parse_words(raw: str, *, where: str) -> tuple[str, ...]:
    """A Python-list string ``['a', 'b']`` or a ``;``/``,``/``|``-separated list."""
    text = raw.strip()
    if not text:
        return ()
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise InputError(
                f"biased words {_short(text)!r} is not a list of strings",
                where=where,
                hint="write ['word', 'other word'] or word; other word",
            )
        items = list(value)
    else:
        items = re.split(r"[;,|]", text)
    return tuple(w.strip() for w in items if w.strip())


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def read_sentences(path: Path) -> list[Sentence]:
    """The sentences of a BABE-like file, each with its label and marked words."""
    text = _decode(path, path.read_bytes()).removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    header = _header(first)
    if header is None:
        raise InputError(
            "no text column in the header line",
            where=at(path, 1),
            hint="the first line names the columns: text, label_bias, biased_words",
        )
    separator, keys = header
    columns = (
        _pick(keys, TEXT_COLUMNS, "text", path),
        _pick(keys, LABEL_COLUMNS, "bias label", path),
        _pick(keys, WORDS_COLUMNS, "biased words", path),
    )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader)
    sentences = [
        _sentence(row, columns, path, reader.line_num)
        for row in reader
        if any(cell.strip() for cell in row)
    ]
    if not sentences:
        raise InputError("no sentences below the header", where=path, hint="add rows")
    return sentences


def _sentence(row: list[str], columns: tuple[int, int, int], path: Path, line: int) -> Sentence:
    text_at, label_at, words_at = columns
    where = at(path, line)
    if len(row) <= max(columns):
        raise InputError(
            f"{len(row)} field(s), the header has more",
            where=where,
            hint="check the separator and the quoting of this record",
        )
    text = row[text_at]
    if not text.strip():
        raise InputError("text is empty", where=where, hint="every row needs a sentence")
    return Sentence(
        line=line,
        text=text,
        biased=parse_label(row[label_at], where=where),
        words=parse_words(row[words_at], where=where),
    )


# -- spans -------------------------------------------------------------------------------------


def _label_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(LABEL_SUFFIXES)
    )


def _article_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("article*.txt")):
        match = ARTICLE_RE.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        article_id = match["id"]
        if article_id in found:
            raise InputError(
                f"article {article_id} is there twice ({found[article_id]})",
                where=path,
                hint="point --gold at one copy of the corpus",
            )
        found[article_id] = path
    return found


def _label_line(fields: list[str], where: str) -> tuple[str, Span]:
    if len(fields) == 4:
        article_id, technique, start, end = fields
    elif len(fields) == 3:
        (article_id, start, end), technique = fields, None
    else:
        raise InputError(
            f"{len(fields)} field(s)",
            where=where,
            hint="a label line is ID<tab>TECHNIQUE<tab>START<tab>END",
        )
    try:
        first, last = int(start), int(end)
    except ValueError:
        raise InputError(
            f"offsets {start!r}, {end!r} are not whole numbers",
            where=where,
            hint="START and END are character offsets into article<ID>.txt",
        ) from None
    name = technique.strip() if technique is not None else None
    return article_id.strip().removeprefix("article"), Span(name or None, first, last)


def _read_labels(path: Path) -> list[tuple[str, Span, str]]:
    rows = []
    for number, line in enumerate(_decode(path, path.read_bytes()).splitlines(), start=1):
        if line.strip():
            article_id, span = _label_line(line.split("\t"), at(path, number))
            rows.append((article_id, span, at(path, number)))
    return rows


def read_articles(folder: Path) -> tuple[list[Article], int]:
    """(annotated articles in id order, articles left out because nothing annotates them)."""
    files = _article_files(folder)
    if not files:
        raise InputError(
            "no article<ID>.txt files in this folder",
            where=folder,
            hint="point --gold at a folder with article<ID>.txt and their .labels files",
        )
    label_files = _label_files(folder)
    if not label_files:
        raise InputError(
            "no label files (*.labels, *.labels.tsv) in this folder",
            where=folder,
            hint="put the span label files (ID TECHNIQUE START END) beside the articles",
        )
    texts = {a: _decode(p, p.read_bytes()) for a, p in files.items()}
    spans: dict[str, list[Span]] = {}
    annotated: set[str] = set()
    shared_file = False
    for path in label_files:
        own = _PER_ARTICLE_LABELS_RE.fullmatch(path.name)
        if own is not None and own["id"] in texts:
            annotated.add(own["id"])
        else:
            shared_file = True
        for article_id, span, where in _read_labels(path):
            _check_span(article_id, span, texts, where)
            spans.setdefault(article_id, []).append(span)
            annotated.add(article_id)
    chosen = sorted(texts) if shared_file else sorted(annotated)
    articles = [
        Article(
            a,
            files[a],
            texts[a],
            tuple(sorted(set(spans.get(a, [])), key=_span_order)),
        )
        for a in chosen
    ]
    return articles, len(texts) - len(chosen)


def _span_order(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.technique or ""


def _check_span(article_id: str, span: Span, texts: dict[str, str], where: str) -> None:
    if article_id not in texts:
        raise InputError(
            f"no article{article_id}.txt for this label",
            where=where,
            hint="every labelled article needs its text in the folder",
        )
    length = len(texts[article_id])
    if not 0 <= span.start < span.end <= length:
        raise InputError(
            f"span {span.start}-{span.end} is outside article{article_id}.txt "
            f"({length} characters) or empty",
            where=where,
            hint="START < END, both character offsets into the article's text",
        )
