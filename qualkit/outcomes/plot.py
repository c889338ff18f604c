"""Love plot: absolute standardised mean differences per covariate, before and after matching."""

from __future__ import annotations

from pathlib import Path

from qualkit.errors import InputError
from qualkit.files import private_figure

THRESHOLD = 0.1  # the usual "balanced" line (Austin 2009; Stuart, Lee & Leacy 2013)


def _targets(path: str | Path) -> list[Path]:
    """The PNG and SVG files to write for a requested path (either extension, or none)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".png", ".svg", ""}:
        raise InputError(f"{path}: the Love plot is written as .png and .svg; name it FILE.png")
    stem = path.with_suffix("")
    return [stem.with_suffix(".png"), stem.with_suffix(".svg")]


def love_plot(rows: list[dict], path: str | Path, *,
              title: str = "Covariate balance") -> list[Path]:
    """Draw a Love plot and save it as both PNG and SVG.

    Args:
        rows: Balance rows (dicts with ``covariate``, ``smd_before``, ``smd_after``).
        path: Output file; ``x.png`` writes ``x.png`` and ``x.svg`` side by side.
        title: Plot title.

    Returns:
        The two files written.

    Raises:
        InputError: Unsupported extension or a folder that does not exist.
    """
    import matplotlib

    matplotlib.use("Agg")  # headless: never needs a display
    import matplotlib.pyplot as plt

    targets = _targets(path)
    if not targets[0].parent.is_dir():
        raise InputError(f"{targets[0]}: folder {targets[0].parent} does not exist; "
                         "create it first")
    # Covariate names come from a data file: "$x" or "a_b^c" must print as typed, not be
    # parsed as mathtext (a lone "$" raises deep inside matplotlib).
    with matplotlib.rc_context({"text.parse_math": False}):
        _draw(plt, rows, targets, title)
    return targets


def _draw(plt, rows: list[dict], targets: list[Path], title: str) -> None:
    names = [r["covariate"] for r in rows][::-1]  # first covariate at the top
    before = [abs(r["smd_before"] or 0.0) for r in rows][::-1]
    after = [abs(r["smd_after"] or 0.0) for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(rows) + 1.9), layout="constrained")
    ys = range(len(names))
    ax.scatter(before, ys, marker="o", facecolors="none", edgecolors="#b2182b", label="Before")
    ax.scatter(after, ys, marker="o", color="#2166ac", label="After matching")
    ax.axvline(THRESHOLD, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(list(ys), names)
    ax.set_xlabel("Absolute standardised mean difference")
    ax.set_xlim(left=0)
    ax.set_title(title)
    # below the axes, so the legend never hides a covariate's dots
    fig.legend(loc="outside lower center", ncol=2, frameon=False)
    try:
        for target in targets:
            # transcripts and cohorts are sensitive: every file qualkit writes is owner-only
            private_figure(fig, target, dpi=150 if target.suffix == ".png" else None)
    finally:
        plt.close(fig)
