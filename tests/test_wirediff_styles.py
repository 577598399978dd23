"""House style sheets: loading by outlet name or path, validation, variant groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError, NotFoundError
from harness.wirediff import load_style, load_style_file, outlet_slug
from harness.wirediff.diff import variant_book
from harness.wirediff.styles import StyleSheet

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "experiments" / "styles"
DATA = Path(__file__).resolve().parent / "data" / "wirediff"


@pytest.mark.parametrize(
    ("name", "slug"),
    [("The Guardian", "guardian"), ("guardian", "guardian"), ("Daily Mail", "daily-mail"), ("BBC News", "bbc-news"),
     ("  Reuters ", "reuters"), ("The Times of India", "times-of-india")],
)
def test_outlet_slug(name: str, slug: str) -> None:
    assert outlet_slug(name) == slug


@pytest.mark.parametrize(
    ("outlet", "sheet"),
    [("The Guardian", "The Guardian"), ("guardian", "The Guardian"), ("theguardian.com", "The Guardian"),
     ("Reuters", "Reuters"), ("AP", "Associated Press"), ("The Associated Press", "Associated Press"),
     ("BBC News", "BBC News"), ("Daily Mail", "Generic"), ("unknown", "Generic")],
)
def test_outlets_map_to_sheets(outlet: str, sheet: str) -> None:
    assert load_style(outlet, STYLES).name == sheet


def test_every_shipped_sheet_is_valid() -> None:
    sheets = {path.stem: load_style_file(path) for path in sorted(STYLES.glob("*.toml"))}
    assert set(sheets) == {"ap", "bbc", "default", "guardian", "reuters"}
    guardian = sheets["guardian"]
    assert (guardian.quotes_primary, guardian.date_order, guardian.title_style) == ("single", "day-month", "apposition")
    assert (guardian.acronyms, guardian.percent, guardian.datelines) == ("plain", "per cent", False)
    assert ("Zelenskyy", ("Zelenskiy", "Zelensky")) in guardian.variants
    reuters = sheets["reuters"]
    assert (reuters.quotes_primary, reuters.date_order, reuters.title_style) == ("double", "month-day", "prefix")
    assert sheets["default"].date_order == "any"


def test_a_sheet_file_is_loaded_by_path() -> None:
    path = STYLES / "reuters.toml"
    assert load_style_file(path).name == "Reuters"
    assert load_style_file(path).slug == "reuters"
    resource = load_style_file(path).resource()
    assert resource is not None and resource.name == "styles/reuters.toml" and resource.version == "1"


@pytest.mark.parametrize(
    "outlet",
    ["yahoo.com/news", "Reuters/AP", "/etc/passwd", "../../etc/passwd", "reuters.toml", "C:\\styles\\x.toml",
     "experiments/styles/reuters.toml", "", "..", "~"],
)
def test_an_outlet_name_is_never_a_path(outlet: str) -> None:
    """Names with slashes or a .toml ending are names: no file is opened for them."""
    assert load_style(outlet, STYLES).name == "Generic"


def test_an_outlet_named_like_an_existing_file_does_not_open_it(tmp_path: Path) -> None:
    hostile = tmp_path / "passwd"
    hostile.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")  # not TOML: opening it would fail
    assert load_style(str(hostile), STYLES).name == "Generic"
    assert load_style(str(hostile.with_suffix(".toml")), STYLES).name == "Generic"


def test_load_style_refuses_a_path_object() -> None:
    with pytest.raises(TypeError, match="load_style_file"):
        load_style(STYLES / "reuters.toml")  # type: ignore[arg-type]


def _sheet(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "outlet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_value_names_file_line_and_key(tmp_path: Path) -> None:
    path = _sheet(tmp_path, '# version: 1\nname = "X"\n\n[dates]\norder = "day-first"\n')
    with pytest.raises(ConfigError) as caught:
        load_style_file(path)
    assert caught.value.where == f"{path}:5"
    assert "dates.order" in caught.value.message and "day-first" in caught.value.message
    assert caught.value.hint is not None and "'day-month'" in caught.value.hint


def test_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = _sheet(tmp_path, '# version: 1\n[quotes]\nprimary = "single"\ncurlyness = true\n')
    with pytest.raises(ConfigError) as caught:
        load_style_file(path)
    assert caught.value.where == f"{path}:4"
    assert "quotes.curlyness" in caught.value.message


def test_bad_toml_gives_the_line(tmp_path: Path) -> None:
    path = _sheet(tmp_path, '# version: 1\n[quotes\nprimary = "single"\n')
    with pytest.raises(ConfigError) as caught:
        load_style_file(path)
    assert caught.value.where == f"{path}:2"


def test_a_sheet_needs_a_version(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="version"):
        load_style_file(_sheet(tmp_path, 'name = "X"\n'))


def test_variants_must_be_lists_of_strings(tmp_path: Path) -> None:
    path = _sheet(tmp_path, '# version: 1\n[variants]\n"Kyiv" = "Kiev"\n')
    with pytest.raises(ConfigError) as caught:
        load_style_file(path)
    assert caught.value.where == f"{path}:3"
    assert "variants.Kyiv" in caught.value.message


def test_no_default_sheet_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as caught:
        load_style("Some Paper", tmp_path)
    assert "default.toml" in caught.value.message


def test_a_missing_sheet_file() -> None:
    with pytest.raises(NotFoundError):
        load_style_file(DATA / "no-such-sheet.toml")


def test_variant_groups_of_two_sheets_merge() -> None:
    reuters, guardian = load_style("Reuters", STYLES), load_style("The Guardian", STYLES)
    book = variant_book(reuters, guardian)
    assert book["zelenskiy"] == book["zelenskyy"] == book["zelensky"]
    assert book["kiev"] == book["kyiv"] == "kiev"
    assert variant_book(guardian, reuters) == book  # independent of order
    assert "the west" not in book  # phrases are for the normaliser, not for words


def test_generic_sheet_in_code() -> None:
    sheet = StyleSheet(name="Mine", slug="mine", version="1")
    assert sheet.resource() is None
    assert sheet.variant_groups() == {}
