"""`qualkit joint` and `qualkit equity`: themes beside the outcome effects of a saved run.

`joint --links FILE` checks the file against the project and the run, builds the view from it,
and only then stores the links with the run (one audit event, none when nothing changed): a
refused file or view leaves the project as it was.
"""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, open_store
from qualkit.cli._integrate_render import (
    _esc,
    ci,
    emit,
    fmt,
    generic,
    p_value,
    split,
    table_options,
    themes_text,
)
from qualkit.errors import InputError

VIEWS = ("display", "groups", "cases", "quotes")


def _group_option(value: str | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if "=" not in value:
        raise InputError(f"--group '{value}' needs the form DOCUMENT_ATTRIBUTE=OUTCOME_COLUMN, "
                         "e.g. --group site=district")
    left, right = (v.strip() for v in value.split("=", 1))
    return left or None, right or None


@click.command()
@PROJECT
@click.option("--run", "run_name", required=True, help="A run saved with `outcomes match --save`.")
@click.option("--links", "links_path", type=click.Path(dir_okay=False), default=None,
              help="links.yaml: checked, used, then stored with the run (audited).")
@click.option("--view", type=click.Choice(VIEWS), default="display", show_default=True,
              help="display: one row per outcome; groups: effects by group beside the group's "
                   "themes; cases: interviewed cases joined to their outcomes; quotes: theme x "
                   "group quote matrix.")
@click.option("--group", default=None,
              help="groups view: DOCUMENT_ATTRIBUTE=OUTCOME_COLUMN, e.g. site=district.")
@click.option("--map", "mapping", default=None,
              help="groups view: 'doc value=outcome value;...' ('a=x|y' several, 'a=' none).")
@click.option("--codes", default=None, help="Themes to show instead of the linked ones (a,b).")
@click.option("--by", default="role", show_default=True,
              help="quotes view: columns (speaker role, or a document attribute).")
@click.option("--quotes", "n_quotes", type=click.IntRange(min=0), default=None,
              help="Quotes per theme [display 3, groups 1, quotes 2].")
@click.option("--data", type=click.Path(dir_okay=False), default=None,
              help="cases view: join to this cohort table instead of the run's data.")
@click.option("--id", "id_col", default=None, help="cases view: id column of --data.")
@click.option("--min-treated", type=click.IntRange(min=1), default=10, show_default=True,
              help="groups view: smaller groups are not estimated.")
@click.option("--author", default=None, help="Who the stored links are recorded as written by.")
@table_options
def joint(project: str, run_name: str, links_path: str | None, view: str, group: str | None,
          mapping: str | None, codes: str | None, by: str, n_quotes: int | None,
          data: str | None, id_col: str | None, min_treated: int, author: str | None,
          coders: str | None, documents: str | None, as_json: bool, csv_path: str | None,
          xlsx_path: str | None, md_path: str | None) -> None:
    """Joint display: each outcome's effect beside its linked themes, quotes and fit.

    \b
    Examples:
      qualkit joint lead.qualkit --run nn --links outcomes_sample/links.yaml
      qualkit joint lead.qualkit --run nn --view groups --xlsx districts.xlsx
      qualkit joint lead.qualkit --run nn --view groups --group site=district \\
        --map "Eastside precinct=Eastside;Harbor precinct drop-in center=Harbor"
      qualkit joint lead.qualkit --run nn --view cases --json
      qualkit joint lead.qualkit --run nn --view quotes --by role --markdown quotes.md
    """
    from qualkit import integrate
    from qualkit.integrate.links import load_links, parse_mapping
    from qualkit.integrate.runs import read_links, saved_run

    scope = {"coders": split(coders), "documents": split(documents)}
    with open_store(project) as store:
        spec = load_links(links_path) if links_path else None
        if spec is not None:  # every view: refuse a bad file, with its line, before anything
            read_links(store, saved_run(store, run_name), spec)
        if view == "display":
            df = integrate.joint_display(store, run_name, links=spec, quotes=_n(n_quotes, 3),
                                         **scope)
        elif view == "groups":
            left, right = _group_option(group)
            df = integrate.group_view(
                store, run_name, links=spec, documents_attr=left, outcomes_attr=right,
                mapping=parse_mapping(mapping) if mapping is not None else None,
                codes=split(codes), quotes=_n(n_quotes, 1), min_treated=min_treated, **scope)
        elif view == "cases":
            df = integrate.case_outcomes(store, run_name, links=spec, codes=split(codes),
                                         data=data, id_col=id_col, **scope)
            listing = integrate.case_table(store, run_name, links=spec, codes=split(codes),
                                           data=data, id_col=id_col, **scope)
            df.attrs["cases"] = listing.to_dict(orient="records")
        else:
            linked = list(dict.fromkeys(c for k in spec.links for c in k.codes)) if spec else None
            df = integrate.quote_matrix(store, codes=split(codes) or linked, by=by,
                                        run=run_name, quotes=_n(n_quotes, 2), **scope)
        stored = spec is not None and integrate.save_links(store, run_name, spec, author=author)
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=RENDER[view])
    if spec is not None:
        click.echo(f"links of run '{run_name}' " + ("stored from " if stored else
                   "unchanged: already stored from ") + str(links_path), err=as_json)


def _n(value: int | None, default: int) -> int:
    return default if value is None else value


def _render_display(out, df) -> None:
    from rich.table import Table

    table = Table(show_lines=True)
    for col, width in (("outcome", None), ("effect (95% CI), p", 24), ("linked themes and "
                                                                       "quotes", None),
                       ("fit · meta-inference", 34)):
        table.add_column(col, overflow="fold", width=width, ratio=None)
    for row in df.to_dict("records"):
        effect = f"ATT {fmt(row['estimate'])} {ci(row['ci_low'], row['ci_high'])}\np " \
                 f"{p_value(row['p'])}"
        if row.get("rate_ratio") is not None:
            effect += f"\nrate ratio {fmt(row['rate_ratio'], 2)} " \
                      f"{ci(row['rr_ci_low'], row['rr_ci_high'])}"
        fit = f"[bold]{_esc(row['fit'] or 'fit not set')}[/bold]\n{_esc(row['meta_inference'])}"
        table.add_row(_esc(row["outcome"]), effect, themes_text(row["themes"]), fit)
    out.print(table)
    estimators = sorted({r["estimator"] for r in df.to_dict("records") if r["estimator"]})
    for text in estimators:
        out.print(f"[dim]estimator: {_esc(text)}[/dim]", soft_wrap=True)


def _render_groups(out, df) -> None:
    from rich.table import Table

    table = Table(show_lines=True)
    for col in ("group", "outcome", "treated / matched / controls", "effect (95% CI), p",
                "themes in the group's documents"):
        table.add_column(col, overflow="fold")
    for row in df.to_dict("records"):
        effect = (f"ATT {fmt(row['estimate'])} {ci(row['ci_low'], row['ci_high'])}\np "
                  f"{p_value(row['p'])}" if row["status"] == "ok" else
                  f"[yellow]{_esc(row['status'])}[/yellow]")
        docs = ", ".join(row["documents"]) or "no documents"
        table.add_row(_esc(row["group"]), _esc(row["outcome"]),
                      f"{row['n_treated']} / {row['n_treated_matched']} / {row['n_control']}",
                      effect, f"[dim]{_esc(docs)}[/dim]\n" + themes_text(row["themes"]))
    out.print(table)


def _render_cases(out, df) -> None:
    import pandas as pd

    cases = pd.DataFrame(df.attrs.get("cases", []))
    if len(cases):
        out.print("[bold]cases[/bold]")
        generic(out, cases)
    out.print("[bold]outcomes by theme presence[/bold]")
    generic(out, df)


def _render_quotes(out, df) -> None:
    from rich.table import Table

    from qualkit.integrate.tables import flat

    table = Table(show_lines=True)
    table.add_column("theme")
    for col in df.columns:
        table.add_column(_esc(col), overflow="fold")
    for code, row in df.iterrows():
        table.add_row(_esc(code), *(_esc(flat(v)) or "—" for v in row))
    out.print(table)


RENDER = {"display": _render_display, "groups": _render_groups, "cases": _render_cases,
          "quotes": _render_quotes}


@click.command()
@PROJECT
@click.option("--run", "run_name", required=True, help="A run saved with `outcomes match --save`.")
@click.option("--by", "by", required=True, help="Subgroup column of the run's data (e.g. race).")
@click.option("--code", default=None,
              help="The theme beside the numbers [default: the code 'Bias concerns'].")
@click.option("--outcomes", default=None, help="Only these outcomes (a,b).")
@click.option("--levels", default=None, help="Only these subgroups (a,b).")
@click.option("--quotes", "n_quotes", type=click.IntRange(min=0), default=2, show_default=True,
              help="Quotes per role.")
@click.option("--min-treated", type=click.IntRange(min=1), default=10, show_default=True,
              help="Smaller subgroups are reported as too small to estimate.")
@table_options
def equity(project: str, run_name: str, by: str, code: str | None, outcomes: str | None,
           levels: str | None, n_quotes: int, min_treated: int, coders: str | None,
           documents: str | None, as_json: bool, csv_path: str | None, xlsx_path: str | None,
           md_path: str | None) -> None:
    """Equity lens: effects by subgroup with an interaction test, beside a theme's quotes.

    \b
    Examples:
      qualkit equity lead.qualkit --run nn --by race
      qualkit equity lead.qualkit --run nn --by sex --code "Gender" --xlsx equity_sex.xlsx
    """
    from qualkit.integrate import equity as make

    with open_store(project) as store:
        df = make(store, run_name, by, code=code, outcomes=split(outcomes),
                  levels=split(levels), quotes=n_quotes, min_treated=min_treated,
                  coders=split(coders), documents=split(documents))
    emit(df, as_json=as_json, csv_path=csv_path, xlsx_path=xlsx_path, md_path=md_path,
         render=_render_equity)


def _render_equity(out, df) -> None:
    from rich.table import Table

    table = Table()
    for col in ("outcome", "subgroup", "treated / matched / controls", "ATT (95% CI)", "p",
                "rate ratio", "interaction p"):
        table.add_column(col, overflow="fold")
    for row in df.to_dict("records"):
        ok = row["status"] == "ok"
        table.add_row(
            _esc(row["outcome"]), _esc(row["subgroup"]),
            f"{row['n_treated']} / {row['n_treated_matched']} / {row['n_control']}",
            f"{fmt(row['estimate'])} {ci(row['ci_low'], row['ci_high'])}" if ok else
            f"[yellow]{_esc(row['status'])}[/yellow]",
            p_value(row["p"]) if ok else "", fmt(row["rate_ratio"], 2) if ok else "",
            p_value(row["interaction_p"]))
    out.print(table)
    theme = df.attrs["theme"]
    out.print(f"[bold]{_esc(theme['code'])}[/bold]: {_esc(theme['prevalence'])}",
              soft_wrap=True)
    for role, quotes in theme["quotes_by_role"].items():
        for q in quotes:
            out.print(f"  [dim]{_esc(role)}:[/dim] “{_esc(q['text'])}” [dim]— "
                      f"{_esc(q['document'])}, {_esc(q['speaker'])}[/dim]", soft_wrap=True)
