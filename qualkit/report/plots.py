"""The report's plots, drawn with matplotlib and returned as SVG text (HTML, Markdown) or PNG
bytes (Word). Output is byte-stable: a fixed ``svg.hashsalt``, no date in the metadata, text
kept as text, and each figure's ids prefixed so several SVGs can share one HTML page.

Colours pass WCAG AA on white (blue #2166ac 6.1:1, red #b2182b 6.4:1, grey #595959 7:1), the
heat map's numbers pass on every cell (its blues stop where #1a1a1a still has 4.5:1), and
every series also differs in marker or line style, so nothing relies on colour alone.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

BLUE, RED, GREY, DARK = "#2166ac", "#b2182b", "#595959", "#1a1a1a"
_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # headless
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.hashsalt": "qualkit-report",  # ids from content, not from a random salt
        "svg.fonttype": "none",  # text stays text: smaller, selectable, no font paths
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.edgecolor": GREY,
        "axes.labelcolor": DARK,
        "xtick.color": DARK,
        "ytick.color": DARK,
    })
    return plt


def render(fig, fmt: str, key: str) -> str | bytes:
    """The figure as SVG text (ids prefixed with ``key``) or PNG bytes; the figure is closed."""
    plt = _plt()
    buffer = io.BytesIO()
    try:
        if fmt == "png":
            fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
            return buffer.getvalue()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    svg = buffer.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF with URLs, no use
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r'(url\(#|href="#)([^)"]+)', rf"\g<1>{key}-\2", svg)
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float]], *,
            label: str):
    """A document x code heat map with the number printed in every non-empty cell."""
    plt = _plt()
    width = min(2.2 + 0.32 * len(columns), 11)
    height = min(1.6 + 0.26 * len(rows), 24)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    import numpy as np
    from matplotlib.colors import ListedColormap

    # Blues up to 0.65 only: dark text keeps >= 4.5:1 (WCAG AA) on every cell
    light_blues = ListedColormap(plt.get_cmap("Blues")(np.linspace(0, 0.65, 256)))
    image = ax.imshow(values, cmap=light_blues, aspect="auto", vmin=0)
    if len(rows) * len(columns) <= 2500:  # numbers stay legible
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value:
                    ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=6.5,
                            color=DARK)
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.6, label=label)
    return fig


def saturation_curves(curves: Sequence[tuple[str, Sequence[int], Sequence[int], int | None]]):
    """Cumulative distinct codes by documents coded; ``(label, x, y, point)`` per order."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    colours = (BLUE, RED, GREY, DARK)
    for index, (label, xs, ys, point) in enumerate(curves):
        line, marker = _STYLES[index % len(_STYLES)]
        colour = colours[index % len(colours)]
        said = f"saturation after {point}" if point is not None else "saturation not reached"
        ax.plot(xs, ys, linestyle=line, marker=marker, ms=4, color=colour,
                label=f"{label} ({said})")
        if point is not None:
            ax.axvline(point, color=colour, linestyle=line, lw=0.8)
    ax.set_xlabel("documents coded")
    ax.set_ylabel("distinct codes")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="lower right", frameon=False)
    return fig


def love_plot(names: Sequence[str], before: Sequence[float], after: Sequence[float]):
    """Absolute standardised mean differences before (open circles) and after (squares)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(names) + 1.6), layout="constrained")
    ys = list(range(len(names)))[::-1]  # first covariate at the top
    ax.scatter([abs(v) for v in before], ys, marker="o", facecolors="none", edgecolors=RED,
               label="before matching")
    ax.scatter([abs(v) for v in after], ys, marker="s", color=BLUE, label="after matching")
    ax.axvline(0.1, color=GREY, linestyle="--", linewidth=1)
    ax.set_yticks(ys, names)
    ax.set_xlabel("absolute standardised mean difference (dashed: 0.1)")
    ax.set_xlim(left=0)
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return fig


def forest_plot(names: Sequence[str], points: Sequence[float], lows: Sequence[float],
                highs: Sequence[float], *, log: bool, label: str):
    """Point estimates with 95 % intervals; rate ratios on a log axis with a line at 1. The
    numbers are printed in a column right of the axes, clear of the bars."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.8, 0.42 * len(names) + 1.3), layout="constrained")
    ys = list(range(len(names)))[::-1]
    shown = []
    for y, point, low, high in zip(ys, points, lows, highs, strict=True):
        if point is None or not math.isfinite(point):
            ax.text(1.02, y, "not estimated", transform=ax.get_yaxis_transform(), fontsize=8,
                    va="center", color=DARK)
            continue
        shown += [low, high]
        ax.plot([low, high], [y, y], color=BLUE, lw=1.6)
        ax.plot([point], [y], marker="s", color=BLUE, ms=6)
        ax.text(1.02, y, f"{point:.2f} ({low:.2f} to {high:.2f})", fontsize=8, va="center",
                transform=ax.get_yaxis_transform(), color=DARK)
    ax.axvline(1.0 if log else 0.0, color=GREY, linestyle="--", lw=1)
    if log and shown:
        from matplotlib.ticker import FixedLocator, NullLocator

        low, high = min(min(shown), 1.0), max(max(shown), 1.0)
        ax.set_xscale("log")
        ax.set_xlim(low / 1.25, high * 1.25)
        ticks = [t for t in (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8)
                 if low / 1.25 <= t <= high * 1.25]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_yticks(ys, names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel(label)
    ax.text(1.02, 1.01, "estimate (95 % CI)", transform=ax.transAxes, fontsize=8,
            va="bottom", color=DARK, weight="bold")
    return fig
