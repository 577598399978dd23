"""Text-file corpora: one article per .txt/.md file, or an aggregator page per .txt.

An article file may start with YAML front matter::

    ---
    title: Russia and Ukraine agree new POW swaps
    outlet: The Guardian
    published: 2025-07-23
    ---
    Russia and Ukraine discussed further prisoner swaps ...

The front matter's keys follow the same names as the other formats (``headline``
or ``title``, ``outlet``, ``published`` or ``date``, ``doc_id`` or ``id``);
everything after it is the body. Without a ``title``/``headline`` the headline is
empty: the first line of a plain text file is the body's first paragraph, not a
guess at a headline.
"""

from __future__ import annotations

from typing import Any

from harness.corpus.aggregator import looks_like_aggregator_page, parse_aggregator_page
from harness.corpus.records import BODY_FIELDS, RawRecord
from harness.corpus.textfile import CorpusFile, read_text
from harness.errors import InputError

_FENCE = "---"
_FRONT_MATTER_ENDS = ("---", "...")


def _front_matter_end(lines: list[str], file: CorpusFile) -> int:
    for index in range(1, len(lines)):
        if lines[index].strip() in _FRONT_MATTER_ENDS:
            return index
    raise InputError(
        "front matter opened with --- is never closed",
        where=file.at_line(1),
        hint="end the front matter with a line holding only ---",
    )


def _load_front_matter(block: str, file: CorpusFile) -> dict[str, Any]:
    import yaml  # only for text files with front matter: not on every start (about 30 ms)

    try:
        loaded = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the --- line
        raise InputError(
            f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}",
            where=file.at_line(line),
            hint="write `key: value` lines; quote values that contain a colon",
        ) from None
    except (ValueError, OverflowError) as exc:
        # YAML read a value as a date or number it cannot build ("2025-13-45").
        raise InputError(
            f"front matter holds a value YAML cannot read: {exc}",
            where=file.at_line(1),
            hint="check dates are real ISO 8601 dates, or quote the value to keep it as text",
        ) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InputError(
            f"front matter must be `key: value` lines, not a {type(loaded).__name__}",
            where=file.at_line(2),
            hint="write `key: value` lines between the --- fences",
        )
    return loaded


def split_front_matter(text: str, file: CorpusFile) -> tuple[dict[str, Any], str]:
    """The YAML front matter (``{}`` when none) and the text after it."""
    lines = text.split("\n")
    if lines[0].strip() != _FENCE:
        return {}, text
    end = _front_matter_end(lines, file)
    fields = _load_front_matter("\n".join(lines[1:end]), file)
    return fields, "\n".join(lines[end + 1 :])


def article_file_record(text: str, file: CorpusFile) -> RawRecord:
    """One article file: front matter fields plus the rest of the file as body.

    The body goes under the column the body is read from (``body``, or the one a
    column mapping names), so a mapping applies to text files as to other formats;
    a front matter key that would be read as the body is refused.
    """
    fields, body = split_front_matter(text, file)
    mapped_elsewhere = {column for name, column in file.columns.pairs if name != "body"}
    for name in file.columns.columns_for("body"):
        if name in fields and name not in mapped_elsewhere:
            raise InputError(
                f"front matter has a `{name}` key, but the body is the text after the front matter",
                where=file.at_line(1),
                hint=f"remove `{name}` from the front matter",
            )
    body_column = file.columns.column("body") or BODY_FIELDS[0]
    return RawRecord({**fields, body_column: body.strip()}, file.source(1), file.at_line(1))


def aggregator_page_records(text: str, file: CorpusFile) -> list[RawRecord]:
    articles = parse_aggregator_page(text)
    if not articles:
        raise InputError(
            "aggregator page with no articles",
            where=file.shown,
            hint="the page needs a lead item or a related article (outlet, age, - outlet, headline, body)",
        )
    return [RawRecord(a.fields(), file.source(a.line), file.at_line(a.line)) for a in articles]


def read_text_document(file: CorpusFile, *, allow_aggregator: bool) -> list[RawRecord]:
    """A .txt/.md file: an aggregator page (when allowed and it looks like one) or one article."""
    text = read_text(file)
    if allow_aggregator and looks_like_aggregator_page(text):
        return aggregator_page_records(text, file)
    return [article_file_record(text, file)]
