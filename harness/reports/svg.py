"""Small inline SVG charts with no scripts and no external references.

Charts are drawn from stored numbers only; every label is escaped. Coordinates are
rounded so the same numbers give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.reports.blocks import h

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _n(x: float) -> str:
    return f"{x:.1f}"


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    width: int = 640,
    bar_height: int = 14,
) -> str:
    """Horizontal grouped bars: one group per label, one bar per series."""
    left, right, top = 190, 70, 28
    group = bar_height * len(series) + 8
    height = top + group * len(labels) + 24 + 16 * len(series)
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = max([*values, 1e-9])
    scale = (width - left - right) / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{h(title)}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{h(title)}</text>',
    ]
    for i, label in enumerate(labels):
        y0 = top + i * group
        parts.append(f'<text x="{left - 6}" y="{_n(y0 + group / 2)}" font-size="11" text-anchor="end">{h(label)}</text>')
        for j, (_, vs) in enumerate(series):
            value = vs[i]
            y = y0 + j * bar_height
            w = 0.0 if value is None else value * scale
            color = PALETTE[j % len(PALETTE)]
            parts.append(f'<rect x="{left}" y="{_n(y)}" width="{_n(w)}" height="{bar_height - 2}" fill="{color}"/>')
            text = "n/a" if value is None else f"{value:.2f}"
            parts.append(f'<text x="{_n(left + w + 4)}" y="{_n(y + bar_height - 4)}" font-size="10">{h(text)}</text>')
    legend_y = top + group * len(labels) + 12
    for j, (name, _) in enumerate(series):
        y = legend_y + 16 * j
        parts.append(f'<rect x="{left}" y="{y}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{left + 14}" y="{y + 9}" font-size="11">{h(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    y_range: tuple[float, float] = (-1.0, 1.0),
    x_label: str = "",
    width: int = 640,
    height: int = 240,
) -> str:
    """Lines over a 0..1 x axis (each series stretched to its own length)."""
    left, right, top, bottom = 40, 150, 28, 30
    lo, hi = y_range
    pw, ph = width - left - right, height - top - bottom

    def y_of(v: float) -> float:
        return top + ph * (hi - v) / (hi - lo)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{h(title)}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{h(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>',
        f'<line x1="{left}" y1="{_n(y_of(0.0))}" x2="{left + pw}" y2="{_n(y_of(0.0))}" stroke="#ccc"/>',
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{hi:g}</text>',
        f'<text x="{left - 4}" y="{top + ph}" font-size="10" text-anchor="end">{lo:g}</text>',
        f'<text x="{left}" y="{height - 8}" font-size="10">{h(x_label)}</text>',
    ]
    for j, (name, values) in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        n = len(values)
        points = " ".join(
            f"{_n(left + (pw * (i / (n - 1)) if n > 1 else pw / 2))},{_n(y_of(v))}" for i, v in enumerate(values)
        )
        if points:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>')
        y = top + 14 * j + 8
        parts.append(f'<rect x="{left + pw + 10}" y="{y}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{left + pw + 24}" y="{y + 9}" font-size="11">{h(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
