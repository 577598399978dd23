"""Report charts: static, self-contained SVG drawn with matplotlib.

Two kinds, both drawn from stored tables only:

* :func:`distribution_chart`: each outlet's per-article values, one box per
  outlet (and voice), every article as a point when an outlet has few (a strip),
  the outliers as points when it has many; over it the outlet's mean with its 95% CI
  as stored in a summary table. At most one mark per article and series.
* :func:`forest_chart`: one row per comparison (a pair of outlets, by voice) with
  its effect and CI, one panel per metric; rate ratios on a log scale. An estimate
  or bound off the scale (0 or infinite on a log axis, infinite anywhere) is drawn
  at the panel's edge as an arrow with "0", "∞" or "−∞".

The SVG is meant to be inlined in the HTML report: no scripts, no external
references, text kept as text (matplotlib escapes it) and control characters shown
as escapes (:func:`harness.safetext.printable`). Same inputs, same bytes: matplotlib
runs with its own defaults (never the user's matplotlibrc), the bundled DejaVu Sans
metrics, a fixed hash salt and no date; element ids are prefixed with a digest of the
chart so that charts inlined in one page never share an id. Figures are built with
``matplotlib.figure.Figure`` and the SVG canvas, never pyplot, so nothing global is
left behind. matplotlib is imported on first use: commands that draw no chart do not
pay for it.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from harness.safetext import printable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]

WIDTH_IN = 7.5
LABEL_WIDTH = 26  # characters per line of an outlet or pair label before it wraps
LINE_IN = 0.16  # inches per line of a tick label: a row is at least as tall as its label
STRIP_MAX = 40  # up to this many articles a series is drawn as points, above as a box
BOX_MIN = 5  # from this many articles on a series also gets a box
SERIES_COLOURS = ("#3b3b3b", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b")
MEAN_COLOUR = "#000000"
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0

# matplotlib's own defaults plus these: never the user's matplotlibrc.
RC: dict[str, object] = {
    "svg.fonttype": "none",  # text stays text: small, searchable, escaped
    "svg.hashsalt": "framing-harness",  # ids from content, not from random numbers
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: the same metrics everywhere
    "font.size": 9.0,
    "text.parse_math": False,  # a "$" in an outlet name is a dollar sign
    "text.usetex": False,
    "axes.titlesize": 10.0,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


# -- data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """A stored estimate with its 95% CI (any part may be missing)."""

    estimate: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Distribution:
    """One outlet's per-article values in one series (a voice), and its stored mean."""

    values: FloatArray
    mean: Interval | None = None


@dataclass(frozen=True, slots=True)
class OutletRow:
    outlet: str
    series: dict[str, Distribution]  # series name -> values


@dataclass(frozen=True, slots=True)
class ForestRow:
    label: str  # the pair, "A vs B"
    series: str  # the voice
    effect: Interval
    hollow: bool = False  # too few units for a claim (small_n)


@dataclass(frozen=True, slots=True)
class ForestPanel:
    title: str
    x_label: str
    rows: Sequence[ForestRow]
    log: bool = False  # rate ratios: log scale, null at 1
    limits: tuple[float, float] | None = None  # fixed (Cliff's delta: -1 to 1)

    @property
    def null(self) -> float:
        return 1.0 if self.log else 0.0


# -- rendering -----------------------------------------------------------------------------


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """A label on as many lines as it needs: wrapped, never cut short."""
    shown = printable(text)
    return "\n".join(textwrap.wrap(shown, width, break_on_hyphens=False)) or shown


@contextmanager
def _matplotlib_defaults() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        rc: Any = matplotlib.rcParams  # its stubs type each key; RC is checked by matplotlib
        rc.update(RC)
        with warnings.catch_warnings():
            # A glyph DejaVu lacks (CJK, emoji) only changes the layout estimate;
            # the browser draws the text with its own fonts.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
            yield


def _new_figure(height_in: float) -> Figure:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, max(height_in, 1.6)), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


_TAG = re.compile(r"<[^<>]+>")  # text content never holds a raw < or >: tags are exact
_ID = re.compile(r' id="([^"]*)"')
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')
_PATH_DATA = re.compile(r' d="([^"]*)"')
_NO_ROTATION = re.compile(r' transform="rotate\(-0 [^")]*\)"')
_DECIMALS = re.compile(r"(\d\.\d\d)\d+")


def _compact(svg: str) -> str:
    """The <svg> element alone: no prolog or metadata, no unused ids, no layout whitespace.

    Ids that are referenced get a prefix from the chart's digest: two charts inlined in
    one page never share an id unless they are the same chart.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    # matplotlib's page-wide "*{...}" rule would style the whole HTML page: the two
    # (inherited) properties go on the chart's own root element instead.
    svg = svg.replace('<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>', "")
    svg = svg.replace("<svg ", '<svg style="stroke-linejoin:round;stroke-linecap:butt" ', 1)
    svg = re.sub(r">\s+<", "><", svg).strip()
    used = set(_REFERENCE.findall(svg))
    prefix = "c" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:10] + "-"

    def tag(match: re.Match[str]) -> str:
        text = _ID.sub(lambda m: f' id="{prefix}{m.group(1)}"' if m.group(1) in used else "", match.group())
        text = _PATH_DATA.sub(lambda m: ' d="' + " ".join(m.group(1).split()) + '"', text)
        text = _NO_ROTATION.sub("", text)
        text = _DECIMALS.sub(r"\1", text)  # a hundredth of a point is finer than any screen
        return re.sub(r'(href="#|url\(#)', lambda m: m.group(1) + prefix, text)

    return _TAG.sub(tag, svg) + "\n"


def render_svg(figure: Figure, *, title: str) -> str:
    """The figure as an inline <svg> element (see the module docs for its bytes)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Title": printable(title)})
    svg = _compact(buffer.getvalue())
    return svg.replace("<svg ", '<svg role="img" ', 1)


# -- distributions ---------------------------------------------------------------------------


def _band(n_series: int) -> tuple[float, list[float]]:
    """Height of one outlet's band (data units: 1 per outlet) and each series' offset."""
    step = 0.8 / max(n_series, 1)
    offsets = [(i - (n_series - 1) / 2.0) * step for i in range(n_series)]
    return step * 0.8, offsets


def _jitter(n: int, height: float) -> FloatArray:
    """Fixed, evenly spread offsets (a golden-ratio sequence): no random numbers."""
    positions = ((np.arange(n, dtype=np.float64) * _GOLDEN) % 1.0 - 0.5) * height
    return np.asarray(positions, dtype=np.float64)


def _draw_series(axes: Axes, y: float, values: FloatArray, height: float, colour: str) -> None:
    if values.size == 0:
        return
    strip = values.size <= STRIP_MAX
    if strip:
        axes.scatter(values, y + _jitter(values.size, height), s=7, color=colour, alpha=0.65, linewidths=0)
    if values.size < BOX_MIN:
        return  # a box of one to four values says less than the points
    style = {"color": colour, "linewidth": 0.9}
    axes.bxp(
        [_box_stats(values)],
        positions=[y],
        widths=[height],
        orientation="horizontal",
        showfliers=not strip,
        boxprops=style,
        whiskerprops=style,
        capprops=style,
        medianprops={"color": colour, "linewidth": 1.6},
        flierprops={"marker": "o", "markersize": 2.2, "markerfacecolor": colour, "markeredgewidth": 0, "alpha": 0.6},
        manage_ticks=False,
    )


def _box_stats(values: FloatArray) -> dict[str, object]:
    """Tukey's box: quartiles, whiskers to the furthest value within 1.5 IQR, the rest outliers.

    Drawing, not analysis: the summary numbers of the report are the stored ones.
    """
    q1, median, q3 = (float(v) for v in np.percentile(values, [25.0, 50.0, 75.0]))
    reach = 1.5 * (q3 - q1)
    inside = values[(values >= q1 - reach) & (values <= q3 + reach)]
    return {
        "med": median,
        "q1": q1,
        "q3": q3,
        "whislo": float(inside.min()) if inside.size else q1,
        "whishi": float(inside.max()) if inside.size else q3,
        "fliers": values[(values < q1 - reach) | (values > q3 + reach)],
    }


def _draw_mean(axes: Axes, y: float, mean: Interval | None, height: float) -> None:
    if mean is None or mean.estimate is None or not math.isfinite(mean.estimate):
        return
    if mean.low is not None and mean.high is not None and math.isfinite(mean.low) and math.isfinite(mean.high):
        axes.plot([mean.low, mean.high], [y + height * 0.62] * 2, color=MEAN_COLOUR, linewidth=1.4)
    axes.plot(
        [mean.estimate], [y + height * 0.62], marker="D", markersize=3.6, color=MEAN_COLOUR, linestyle="none"
    )


def distribution_chart(
    rows: Sequence[OutletRow], *, series: Sequence[str], title: str, x_label: str
) -> str:
    """Per-article values by outlet (rows top to bottom), one box or strip per series."""
    band, offsets = _band(len(series))
    labels = [f"{wrap_label(row.outlet)}\n(n = {_count(row)})" for row in rows]
    row_in = max([0.22 + 0.2 * len(series), *(LINE_IN * (label.count("\n") + 1) for label in labels)])
    height = 1.1 + len(rows) * row_in + (0.3 if len(series) > 1 else 0.0)
    with _matplotlib_defaults():
        figure = _new_figure(height)
        axes = figure.add_subplot()
        for index, row in enumerate(rows):
            y = float(len(rows) - 1 - index)
            for offset, name, colour in zip(offsets, series, SERIES_COLOURS, strict=False):
                shown = row.series.get(name)
                if shown is not None:
                    _draw_series(axes, y - offset, shown.values, band, colour)
                    _draw_mean(axes, y - offset, shown.mean, band)
        axes.set_yticks(
            [float(len(rows) - 1 - i) for i in range(len(rows))],
            labels,
        )
        axes.set_ylim(-0.6, len(rows) - 0.4)
        axes.set_title(printable(title))
        axes.set_xlabel(printable(x_label))
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        means = any(d.mean is not None for row in rows for d in row.series.values())
        _legend(figure, axes, series if len(series) > 1 else (), mean_marker=means)
        return render_svg(figure, title=title)


def _count(row: OutletRow) -> int:
    """Articles behind the row: the largest of its series (voice all when present)."""
    return max((d.values.size for d in row.series.values()), default=0)


def _legend(figure: Figure, axes: Axes, series: Sequence[str], *, mean_marker: bool = False, hollow: bool = False) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, marker="s", linestyle="none", markersize=6) for c in SERIES_COLOURS[: len(series)]]
    labels = [printable(s) for s in series]
    if mean_marker:
        handles.append(Line2D([], [], color=MEAN_COLOUR, marker="D", markersize=3.6, linewidth=1.4))
        labels.append("mean and 95% CI over articles")
    if hollow:
        handles.append(Line2D([], [], color="#555555", marker="o", markerfacecolor="white", linestyle="none"))
        labels.append("open: too few units for a claim (small_n)")
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 4), fontsize=8)


# -- forest plots ------------------------------------------------------------------------------


def _on_scale(values: Sequence[float | None], log: bool) -> list[float]:
    """The values a linear (or log) axis can show: finite (and positive)."""
    return [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not log)]


def _limits(panel: ForestPanel) -> tuple[float, float]:
    if panel.limits is not None:
        return panel.limits
    values = [panel.null] + _on_scale(
        [v for r in panel.rows for v in (r.effect.estimate, r.effect.low, r.effect.high)], panel.log
    )
    low, high = min(values), max(values)
    if panel.log:
        span = max(math.log(high) - math.log(low), math.log(2.0))
        return math.exp(math.log(low) - 0.08 * span), math.exp(math.log(high) + 0.08 * span)
    span = max(high - low, 1e-9)
    return low - 0.08 * span, high + 0.08 * span


def _off_scale_label(value: float, log: bool) -> str:
    if value == math.inf:
        return "∞"
    if value == -math.inf:
        return "−∞"
    return "0" if log and value <= 0 else f"{value:.3g}"


def _draw_forest_row(
    axes: Axes, y: float, row: ForestRow, colour: str, limits: tuple[float, float], log: bool
) -> None:
    effect, (low_edge, high_edge) = row.effect, limits
    if effect.estimate is None or math.isnan(effect.estimate):
        return
    ends = [v for v in (effect.low, effect.high) if v is not None and not math.isnan(v)]
    if len(ends) == 2:
        a, b = (min(max(v, low_edge), high_edge) for v in ends)
        axes.plot([a, b], [y, y], color=colour, linewidth=1.3, solid_capstyle="butt")
        for end in ends:
            if end < low_edge or end > high_edge or (log and end <= 0):
                _edge_arrow(axes, y, end, limits, colour, log)
    point = effect.estimate
    off = point < low_edge or point > high_edge or (log and point <= 0)
    if off:
        _edge_arrow(axes, y, point, limits, colour, log, label=True)
        return
    face = "white" if row.hollow else colour
    axes.plot([point], [y], marker="o", markersize=4.2, color=colour, markerfacecolor=face, linestyle="none")


def _edge_arrow(
    axes: Axes, y: float, value: float, limits: tuple[float, float], colour: str, log: bool, *, label: bool = False
) -> None:
    """A value off the scale: a triangle at the panel's edge, with the value when it is the estimate."""
    left = value < limits[0] or (log and value <= 0)
    x = limits[0] if left else limits[1]
    axes.plot([x], [y], marker="<" if left else ">", markersize=5, color=colour, linestyle="none", clip_on=False)
    if label:
        axes.annotate(
            _off_scale_label(value, log),
            (x, y),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color=colour,
            annotation_clip=False,
        )


def forest_chart(
    panels: Sequence[ForestPanel], *, labels: Sequence[str], series: Sequence[str], title: str, columns: int = 1
) -> str:
    """Effects with CIs: one panel per metric, rows = ``labels`` (pairs) top to bottom, dodged by series."""
    band, offsets = _band(len(series))
    position = {label: float(len(labels) - 1 - i) for i, label in enumerate(labels)}
    shift = dict(zip(series, offsets, strict=False))
    colour = dict(zip(series, SERIES_COLOURS, strict=False))
    grid_rows = -(-len(panels) // columns)
    shown = [wrap_label(label) for label in labels]
    row_in = max([0.12 + 0.1 * len(series), *(LINE_IN * (text.count("\n") + 1) for text in shown)])
    panel_height = 0.55 + len(labels) * row_in
    with _matplotlib_defaults():
        figure = _new_figure(0.6 + grid_rows * panel_height + 0.35)
        figure.suptitle(printable(title), x=0.01, ha="left", fontsize=10)
        grid = figure.subplots(grid_rows, columns, sharey=True, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            _draw_panel(axes, panels[index], position, shift, colour)
            if index % columns == 0:
                axes.set_yticks(list(position.values()), shown)
        grid[0, 0].set_ylim(-0.6, len(labels) - 0.4)
        hollow = any(r.hollow for p in panels for r in p.rows)
        _legend(figure, grid[0, 0], series if len(series) > 1 else (), hollow=hollow)
        return render_svg(figure, title=title)


def _draw_panel(
    axes: Axes, panel: ForestPanel, position: dict[str, float], shift: dict[str, float], colour: dict[str, str]
) -> None:
    limits = _limits(panel)
    if panel.log:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        axes.set_xscale("log")
        # Plain numbers (0.5, 1, 2): the default labels are TeX-like powers of ten.
        # Few enough ticks that their labels never run into each other in a narrow panel.
        decades = math.log10(limits[1] / limits[0])
        subs = (1.0, 2.0, 5.0) if decades <= 1.6 else (1.0, 3.0) if decades <= 2.5 else (1.0,)
        axes.xaxis.set_major_locator(LogLocator(base=10.0, subs=subs, numticks=6))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        axes.xaxis.set_minor_formatter(NullFormatter())
    axes.set_xlim(*limits)
    axes.axvline(panel.null, color="#888888", linewidth=0.8, linestyle="--")
    for row in panel.rows:
        if row.label in position and row.series in shift:
            y = position[row.label] - shift[row.series]
            _draw_forest_row(axes, y, row, colour[row.series], limits, panel.log)
    axes.set_title(printable(panel.title))
    axes.set_xlabel(printable(panel.x_label))
    axes.grid(axis="x", color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
