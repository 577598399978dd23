"""House style sheets: one TOML file per outlet in ``experiments/styles``.

A sheet records the conventions the diff and the normaliser care about: which
quotation marks come first, day-month or month-day dates, how titles sit before
names, full stops in acronyms, "%" or "per cent", British or American spelling,
"said X" or "X said" after a quotation, whether datelines are kept, and the known
variant pairs ("Zelenskyy" rather than "Zelenskiy"). Every key is optional and
``"any"`` means the outlet has no fixed convention; unknown keys and values are
errors that name the file, the line and the key. Like every data file of the
project, a sheet declares its version in a ``# version: N`` line near the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.errors import NotFoundError
from harness.resources import Resource, project_resource
from harness.wirediff.tomlfile import (
    TomlFile,
    boolean,
    choice,
    read_toml,
    reject_unknown,
    require_version,
    string,
    string_list,
    table,
)

DEFAULT_STYLES_DIR = Path("experiments/styles")
DEFAULT_SHEET = "default"
ANY = "any"

_SECTIONS: dict[str, set[str]] = {
    "quotes": {"primary", "typography"},
    "dates": {"order", "months"},
    "titles": {"style"},
    "abbreviations": {"acronyms", "honorifics"},
    "numbers": {"percent"},
    "spelling": {"variety"},
    "attribution": {"after_quote"},
    "boilerplate": {"datelines"},
    "variants": set(),  # free keys: house form = [other forms]
}
_TOP_LEVEL = {"name", "aliases", *_SECTIONS}


@dataclass(frozen=True, slots=True, kw_only=True)
class StyleSheet:
    """One outlet's house style, as far as wire-copy comparison needs it."""

    name: str
    slug: str
    version: str
    path: Path | None = None
    aliases: tuple[str, ...] = ()
    quotes_primary: str = ANY  # "double" | "single"
    quotes_typography: str = ANY  # "straight" | "curly"
    date_order: str = ANY  # "day-month" | "month-day"
    month_names: str = ANY  # "full" | "abbreviated" (Aug. 5)
    title_style: str = ANY  # "apposition" (the US president, Donald Trump,) | "prefix"
    acronyms: str = ANY  # "dotted" (U.S.) | "plain" (US)
    honorifics: str = ANY  # "full-stop" (Mr.) | "plain" (Mr)
    percent: str = ANY  # "%" | "percent" | "per cent"
    spelling: str = ANY  # "british" | "american"
    attribution_after_quote: str = ANY  # "verb-first" (said X) | "name-first" (X said)
    datelines: bool = True
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (house form, forms it replaces)

    def variant_groups(self) -> dict[str, str]:
        """Case-folded single-word variants -> their house form (case-folded)."""
        groups: dict[str, str] = {}
        for house, others in self.variants:
            for form in (house, *others):
                if " " not in form:
                    groups[form.casefold()] = house.casefold()
        return groups

    def resource(self) -> Resource | None:
        """The sheet as a manifest resource (None for a sheet built in code)."""
        if self.path is None:
            return None
        return project_resource(self.path, f"styles/{self.path.name}")


def outlet_slug(name: str) -> str:
    """File slug of an outlet name: "The Guardian" -> "guardian", "Daily Mail" -> "daily-mail"."""
    text = name.strip().casefold()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")


def _variants(doc: TomlFile) -> tuple[tuple[str, tuple[str, ...]], ...]:
    section = table(doc, doc.data, "variants", "variants")
    out: list[tuple[str, tuple[str, ...]]] = []
    for house in sorted(section):
        others = string_list(doc, section, house, f"variants.{house}", required=True)
        if not house.strip():
            raise doc.error("variants", "empty house form", "write the outlet's own form as the key")
        out.append((house, others))
    return tuple(out)


def parse_style(doc: TomlFile) -> StyleSheet:
    """Validate a parsed sheet (``ConfigError`` names file, line and key)."""
    data = doc.data
    reject_unknown(doc, data, _TOP_LEVEL, "")
    for section, keys in _SECTIONS.items():
        if section != "variants":
            reject_unknown(doc, table(doc, data, section, section), keys, section)
    version = require_version(doc)
    name = string(doc, data, "name", "name", doc.path.stem)

    def pick(section: str, key: str, options: tuple[str, ...]) -> str:
        return choice(doc, table(doc, data, section, section), key, f"{section}.{key}", (*options, ANY), ANY)

    return StyleSheet(
        name=name,
        slug=doc.path.stem,
        version=version,
        path=doc.path,
        aliases=string_list(doc, data, "aliases", "aliases"),
        quotes_primary=pick("quotes", "primary", ("double", "single")),
        quotes_typography=pick("quotes", "typography", ("straight", "curly")),
        date_order=pick("dates", "order", ("day-month", "month-day")),
        month_names=pick("dates", "months", ("full", "abbreviated")),
        title_style=pick("titles", "style", ("apposition", "prefix")),
        acronyms=pick("abbreviations", "acronyms", ("dotted", "plain")),
        honorifics=pick("abbreviations", "honorifics", ("full-stop", "plain")),
        percent=pick("numbers", "percent", ("%", "percent", "per cent")),
        spelling=pick("spelling", "variety", ("british", "american")),
        attribution_after_quote=pick("attribution", "after_quote", ("verb-first", "name-first")),
        datelines=boolean(
            doc, table(doc, data, "boilerplate", "boilerplate"), "datelines", "boilerplate.datelines", True
        ),
        variants=_variants(doc),
    )


@lru_cache(maxsize=256)
def _load_file(path: Path, stamp: tuple[int, int]) -> StyleSheet:
    # ``stamp`` (mtime, size) makes an edited sheet load afresh in a long session.
    return parse_style(read_toml(path))


def load_style_file(path: Path) -> StyleSheet:
    """Load one sheet by path."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise NotFoundError("style sheet not found", where=path, hint="check the path") from exc
    return _load_file(path.resolve(), (info.st_mtime_ns, info.st_size))


def _sheet_files(styles_dir: Path) -> dict[str, Path]:
    """The sheets in a styles folder by file stem (the listing, never a path built from a name)."""
    return {path.stem: path for path in sorted(styles_dir.glob("*.toml")) if path.is_file()}


def load_style(outlet: str, styles_dir: str | Path = DEFAULT_STYLES_DIR) -> StyleSheet:
    """The style sheet of an outlet *name* ("The Guardian", "guardian", "theguardian.com").

    The name is only compared with what the styles folder holds, never used as a
    path: its slug is looked up among the sheets' file stems, then among their
    declared ``name`` and ``aliases``; an outlet without a sheet gets
    ``default.toml``. An outlet called ``Reuters/AP`` or ``/etc/passwd`` is a name
    like any other. A sheet *file* is loaded with :func:`load_style_file`.
    """
    if not isinstance(outlet, str):
        raise TypeError(f"load_style takes an outlet name, not {type(outlet).__name__}; use load_style_file for a file")
    styles_dir = Path(styles_dir)
    sheets = _sheet_files(styles_dir)
    slug = outlet_slug(outlet)
    if slug and slug in sheets:
        return load_style_file(sheets[slug])
    for path in sheets.values():
        sheet = load_style_file(path)
        if slug and slug in {outlet_slug(alias) for alias in (sheet.name, *sheet.aliases)}:
            return sheet
    if DEFAULT_SHEET not in sheets:
        raise NotFoundError(
            f"no style sheet for outlet {outlet!r} and no {DEFAULT_SHEET}.toml",
            where=styles_dir,
            hint=f"add {DEFAULT_SHEET}.toml (the generic sheet) to the styles folder",
        )
    return load_style_file(sheets[DEFAULT_SHEET])
