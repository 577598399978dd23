"""Pages of a news aggregator, saved as text: a lead item, then related articles.

The layout (see ``seeds/README.md``)::

    <lead headline>
    <lead body, one paragraph per line>
    <page furniture: Hashtags, Comments, ...>
    Related Articles
    <outlet>                 e.g. The Guardian
    <relative age>           e.g. 26 minutes ago
    - <outlet>               the byline, repeating the outlet
    <headline>
    <body line(s)>
    ... more related articles ...

A related article is recognised by its three-line header (outlet, age, byline
naming the same outlet), so any number of them, from any outlet, is read. What
counts as furniture, an age or a byline is data
(``resources/data/aggregator_furniture.txt``), matched against whole lines, so a
page variant needs a new pattern, not new code. Furniture never reaches a body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from harness.errors import ConfigError, at
from harness.resources import Resource, packaged_resource

LAYOUT_FILE = "aggregator_furniture.txt"
_SECTIONS = ("furniture", "related", "age", "byline")
_SECTION_RE = re.compile(r"\[(?P<name>[a-z]+)\]")


@dataclass(frozen=True, slots=True)
class PageArticle:
    """One article of an aggregator page. ``line`` is where it starts (1-based)."""

    headline: str
    body: str  # paragraphs joined with "\n"
    outlet: str | None  # None for the lead item, which names no outlet
    line: int
    age: str | None = None  # "26 minutes ago"; None for the lead item
    position: int | None = None  # 1, 2, ... among related articles; None for the lead

    def fields(self) -> dict[str, str | int]:
        """Input fields for the corpus reader: age and position end up in ``meta``."""
        out: dict[str, str | int] = {"headline": self.headline, "body": self.body}
        if self.outlet is not None:
            out["outlet"] = self.outlet
        if self.age is not None:
            out["age"] = self.age
        if self.position is not None:
            out["position"] = self.position
        return out


@dataclass(frozen=True, slots=True)
class PageLayout:
    """Whole-line patterns (case-insensitive) for each part of the page."""

    furniture: tuple[re.Pattern[str], ...]
    related: tuple[re.Pattern[str], ...]
    age: tuple[re.Pattern[str], ...]
    byline: tuple[re.Pattern[str], ...]  # each captures (?P<outlet>...)

    def is_chrome(self, line: str) -> bool:
        """Furniture or the related-articles heading: never article text."""
        return _matches(self.furniture, line) or _matches(self.related, line)

    def is_age(self, line: str) -> bool:
        return _matches(self.age, line)

    def byline_outlet(self, line: str) -> str | None:
        for pattern in self.byline:
            m = pattern.fullmatch(line)
            if m is not None:
                return m.group("outlet").strip()
        return None


def _matches(patterns: Sequence[re.Pattern[str]], line: str) -> bool:
    return any(p.fullmatch(line) for p in patterns)


def layout_resource() -> Resource:
    return packaged_resource(LAYOUT_FILE)


def _compile(pattern: str, section: str, where: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(
            f"bad pattern {pattern!r}: {exc}", where=where, hint="write a Python regular expression"
        ) from None
    if section == "byline" and "outlet" not in compiled.groupindex:
        raise ConfigError(
            f"byline pattern {pattern!r} has no (?P<outlet>...) group",
            where=where,
            hint="capture the outlet name as (?P<outlet>...)",
        )
    return compiled


@cache
def page_layout() -> PageLayout:
    """The packaged aggregator layout (read once per process)."""
    resource = layout_resource()
    sections: dict[str, list[re.Pattern[str]]] = {name: [] for name in _SECTIONS}
    current: str | None = None
    for number, raw in enumerate(resource.text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = at(resource.path.name, line=number)
        header = _SECTION_RE.fullmatch(line)
        if header is not None:
            current = header.group("name")
            if current not in sections:
                raise ConfigError(
                    f"unknown section [{current}]", where=where, hint=f"use one of {', '.join(_SECTIONS)}"
                )
            continue
        if current is None:
            raise ConfigError("pattern before any [section]", where=where, hint="start with [furniture]")
        sections[current].append(_compile(line, current, where))
    return PageLayout(*(tuple(sections[name]) for name in _SECTIONS))


def _next_filled(lines: Sequence[str], index: int) -> int | None:
    """Index of the first non-blank line at or after ``index``."""
    while index < len(lines):
        if lines[index]:
            return index
        index += 1
    return None


@dataclass(frozen=True, slots=True)
class _Header:
    """Where a related article's outlet, age and byline lines are."""

    outlet: int
    age: int
    byline: int


def _header_at(lines: Sequence[str], index: int, layout: PageLayout) -> _Header | None:
    """The related-article header starting at ``lines[index]``, if one does."""
    outlet = lines[index]
    if not outlet or layout.is_chrome(outlet):
        return None
    age = _next_filled(lines, index + 1)
    if age is None or not layout.is_age(lines[age]):
        return None
    byline = _next_filled(lines, age + 1)
    if byline is None:
        return None
    named = layout.byline_outlet(lines[byline])
    # The byline repeats the outlet: that is what tells a header from a body line.
    if named is None or named.casefold() != outlet.casefold():
        return None
    return _Header(index, age, byline)


def _headers(lines: Sequence[str], layout: PageLayout) -> list[_Header]:
    out: list[_Header] = []
    index = 0
    while index < len(lines):
        header = _header_at(lines, index, layout)
        if header is None:
            index += 1
        else:
            out.append(header)
            index = header.byline + 1
    return out


def _paragraphs(lines: Sequence[str], layout: PageLayout, outlet: str | None = None) -> str:
    """Body text: filled lines, minus furniture and any repeat of the article's own byline."""

    def is_own_byline(line: str) -> bool:
        named = layout.byline_outlet(line)
        return outlet is not None and named is not None and named.casefold() == outlet.casefold()

    return "\n".join(line for line in lines if line and not layout.is_chrome(line) and not is_own_byline(line))


def _lead(lines: Sequence[str], stop: int, layout: PageLayout) -> PageArticle | None:
    """The lead item: first filled line is its headline, then body up to the furniture."""
    first = _next_filled(lines, 0)
    if first is None or first >= stop or layout.is_chrome(lines[first]):
        return None
    end = first + 1
    while end < stop and not layout.is_chrome(lines[end]):
        end += 1
    return PageArticle(lines[first], _paragraphs(lines[first + 1 : end], layout), None, first + 1)


def _related(lines: Sequence[str], headers: Sequence[_Header], layout: PageLayout) -> list[PageArticle]:
    out: list[PageArticle] = []
    for position, header in enumerate(headers, start=1):
        stop = headers[position].outlet if position < len(headers) else len(lines)
        first = _next_filled(lines, header.byline + 1)
        headline = lines[first] if first is not None and first < stop else ""
        body_start = first + 1 if first is not None and first < stop else stop
        out.append(
            PageArticle(
                headline=headline,
                body=_paragraphs(lines[body_start:stop], layout, lines[header.outlet]),
                outlet=lines[header.outlet],
                line=header.outlet + 1,
                age=lines[header.age],
                position=position,
            )
        )
    return out


def _page_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n")]


def parse_aggregator_page(text: str, *, layout: PageLayout | None = None) -> list[PageArticle]:
    """The lead item (if any) and every related article of one page, in page order."""
    layout = layout if layout is not None else page_layout()
    lines = _page_lines(text)
    headers = _headers(lines, layout)
    lead = _lead(lines, headers[0].outlet if headers else len(lines), layout)
    return ([lead] if lead is not None else []) + _related(lines, headers, layout)


def looks_like_aggregator_page(text: str, *, layout: PageLayout | None = None) -> bool:
    """A related-articles heading plus a related article or other page furniture."""
    layout = layout if layout is not None else page_layout()
    lines = _page_lines(text)
    if not any(_matches(layout.related, line) for line in lines if line):
        return False
    return any(_matches(layout.furniture, line) for line in lines if line) or bool(_headers(lines, layout))
