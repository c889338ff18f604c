"""`qualkit matrix`, `crosstab`, `cooccur`, `saturation`: the coded transcripts as numbers.

Thin commands: open the project, call one :mod:`qualkit.integrate` function, render. The library
(and pandas, scipy, matplotlib) is imported inside the commands so `qualkit --help` stays fast.
"""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, open_store
from qualkit.cli._integrate_render import (
    _esc,
    emit,
    fmt,
    generic,
    p_value,
    split,
    table_options,
)

BY = ("document", "speaker")
MEASURES = ("count", "presence", "segments", "share")
UNITS = ("segment", "speaker", "document")
CHUNK = 12  # matrix columns per terminal table


@click.command()
@PROJECT
@click.option("--by", type=click.Choice(BY), default="document", show_default=True,
              help="Rows: documents, or speakers (a label in one document).")
@click.option("--measure", type=click.Choice(MEASURES), default="count", show_default=True,
              help="Codings, presence 0/1, coded segments, or share of the row's segments.")
@click.option("--rollup", is_flag=True, help="Top-level codes only, with their sub-codes.")
@table_options
def matrix(project: str, by: str, measure: str, rollup: bool, coders: str | None,
           documents: str | None, as_json: bool, csv_path: str | None, xlsx_path: str | None,
           md_path: str | None) -> None:
    """Document x code (or speaker x code) matrix: counts, presence or share coded.

    \b
    Examples:
      qualkit matrix lead.qualkit --measure presence --rollup
      qualkit matrix lead.qualkit --by speaker --measure share --xlsx speakers.xlsx
      qualkit matrix lead.qualkit --coders consensus --json
    """
    from qualkit.integrate import code_matrix

    with open_store(project) as store:
        df = code_matrix(store, by=by, measure=measure, coders=split(coders),
                         documents=split(documents), rollup=rollup)
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=_render_matrix)


def _render_matrix(out, df) -> None:
    """Codes down, documents (speakers) across, a dozen columns per table."""
    from rich.table import Table

    codes = df.attrs["codes"]
    by_speaker = df.attrs["by"] == "speaker"
    labels = [(f"{r['document'].rsplit('.', 1)[0][:12]}:{r['speaker'][:10]}" if by_speaker
               else r["document"].rsplit(".", 1)[0][:16]) for r in df.to_dict("records")]
    share = df.attrs["measure"] == "share"
    for first in range(0, len(labels), CHUNK):
        table = Table(show_lines=False)
        table.add_column("code")
        for label in labels[first: first + CHUNK]:
            table.add_column(_esc(label), justify="right", overflow="fold")
        for code in codes:
            values = df[code].iloc[first: first + CHUNK]
            table.add_row(_esc(code), *(f"{v:.0%}" if share else fmt(v) for v in values))
        out.print(table)


@click.command()
@PROJECT
@click.argument("attribute")
@click.option("--unit", type=click.Choice(UNITS), default="document", show_default=True,
              help="What is counted in each cell.")
@click.option("--codes", default=None, help="Only these codes (a,b,...).")
@click.option("--rollup", is_flag=True, help="Count each code with its sub-codes.")
@click.option("--researchers", is_flag=True, help="Count interviewers' turns too.")
@table_options
def crosstab(project: str, attribute: str, unit: str, codes: str | None, rollup: bool,
             researchers: bool, coders: str | None, documents: str | None, as_json: bool,
             csv_path: str | None, xlsx_path: str | None, md_path: str | None) -> None:
    """Code x attribute crosstab with chi-square / Fisher's exact test and Cramér's V.

    ATTRIBUTE: kind, role, site, date, month, case_id, speaker_role or any column of
    documents.csv.

    \b
    Examples:
      qualkit crosstab lead.qualkit kind --rollup
      qualkit crosstab lead.qualkit speaker_role --unit speaker --codes "Bias concerns"
      qualkit crosstab lead.qualkit site --csv site.csv
    """
    from qualkit.integrate import crosstab as make

    with open_store(project) as store:
        df = make(store, attribute, unit=unit, codes=split(codes), coders=split(coders),
                  documents=split(documents), rollup=rollup, researchers=researchers)
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=_render_crosstab)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _render_crosstab(out, df) -> None:
    from rich.table import Table

    levels = df.attrs["levels"]
    table = Table()
    table.add_column("code")
    for level, n in levels.items():
        table.add_column(_esc(f"{level} (n={n})"), justify="right", overflow="fold")
    for col in ("test", "p", "V"):
        table.add_column(col, justify="right" if col != "test" else "left")
    warned = []
    for row in df.to_dict("records"):
        cells = [f"{row[f'{lv} n']} ({_percent(row[f'{lv} %'])})" for lv in levels]
        test = "χ²" if row["test"].startswith("Pearson") else (
            "Fisher" if row["test"].startswith("Fisher") else "—")
        mark = " !" if row["warning"] else ""
        table.add_row(_esc(row["code"]), *cells, test + mark, p_value(row["p"]),
                      fmt(row["cramers_v"], 2))
        if row["warning"]:
            warned.append(f"{row['code']}: {row['warning']}")
    out.print(table)
    out.print("[dim]cells: units with the code (share of the level's units); ! small expected "
              "counts[/dim]")
    for line in warned[:10]:
        out.print(f"[yellow]! {_esc(line)}[/yellow]", soft_wrap=True)


@click.command()
@PROJECT
@click.option("--unit", type=click.Choice(UNITS), default="segment", show_default=True,
              help="Where two codes must meet to co-occur.")
@click.option("--rollup", is_flag=True, help="Top-level codes only, with their sub-codes.")
@click.option("--min", "min_count", type=click.IntRange(min=1), default=1, show_default=True,
              help="Leave out pairs meeting in fewer units.")
@click.option("--top", type=click.IntRange(min=1), default=25, show_default=True,
              help="Pairs shown in the terminal (files get every pair).")
@table_options
def cooccur(project: str, unit: str, rollup: bool, min_count: int, top: int,
            coders: str | None, documents: str | None, as_json: bool, csv_path: str | None,
            xlsx_path: str | None, md_path: str | None) -> None:
    """Code co-occurrence: pairs of codes in the same segments, as counts and Jaccard.

    \b
    Examples:
      qualkit cooccur lead.qualkit
      qualkit cooccur lead.qualkit --unit document --rollup --csv pairs.csv
    """
    from qualkit.integrate import cooccurrence

    with open_store(project) as store:
        df = cooccurrence(store, unit=unit, coders=split(coders), documents=split(documents),
                          rollup=rollup, min_count=min_count)
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=lambda out, d: generic(out, d.head(top)))


@click.command()
@PROJECT
@click.option("--base", type=click.IntRange(min=1), default=4, show_default=True,
              help="Base size: documents whose codes form the denominator.")
@click.option("--run", "run_length", type=click.IntRange(min=1), default=2, show_default=True,
              help="Run length: documents searched for new codes.")
@click.option("--threshold", type=click.FloatRange(0, 1, max_open=True), default=0.05,
              show_default=True, help="New-information threshold (share of the base's codes).")
@click.option("--rollup", is_flag=True, help="Count top-level codes (with their sub-codes).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write the curve to FILE.png and FILE.svg.")
@table_options
def saturation(project: str, base: int, run_length: int, threshold: float, rollup: bool,
               plot_path: str | None, coders: str | None, documents: str | None,
               as_json: bool, csv_path: str | None, xlsx_path: str | None,
               md_path: str | None) -> None:
    """Thematic saturation (Guest, Namey & Chen 2020): new codes per document, in interview
    order and in each coder's order, with the saturation point or "not reached".

    \b
    Examples:
      qualkit saturation lead.qualkit
      qualkit saturation lead.qualkit --base 6 --run 3 --threshold 0 --plot saturation.png
    """
    from qualkit.integrate import saturation as make
    from qualkit.integrate import saturation_plot

    with open_store(project) as store:
        df = make(store, base=base, run=run_length, threshold=threshold, coders=split(coders),
                  documents=split(documents), rollup=rollup)
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=_render_saturation)
    if plot_path:
        written = saturation_plot(df, plot_path)
        click.echo("plot: " + ", ".join(str(p) for p in written), err=as_json)


def _render_saturation(out, df) -> None:
    generic(out, df[df["order"] == "interview order"],
            columns=["position", "document", "date", "new", "cumulative", "coverage",
                     "run_share", "new_codes"])
    for result in df.attrs["saturation"]:
        out.print(f"[bold]{_esc(result['order'])}[/bold]: {_esc(result['status'])}",
                  soft_wrap=True)
