"""`qualkit outcomes`: propensity-score matching and program effects on a cohort table.

Thin commands: parse options, call :mod:`qualkit.outcomes`, render. The package (and with it
pandas, statsmodels, matplotlib) is imported inside the commands so `qualkit --help` stays fast.
"""

from __future__ import annotations

import json
from typing import Any

import click

from qualkit.errors import InputError, QualkitError

# Kept here rather than imported from qualkit.outcomes so building the CLI imports nothing heavy.
ORDERS = ("largest", "smallest", "random", "data")
DISTANCES = ("score", "logit")


def _split(value: str | None, option: str, *, required: bool = True) -> list[str]:
    """Split a comma-separated option value, refusing an empty list when one is required."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    if required and not items:
        raise InputError(f"{option} needs at least one column name, e.g. {option} a,b,c")
    return items


def _fmt(x: Any, digits: int = 3) -> str:
    """A number for a table cell ('.' for undefined, as MatchIt prints)."""
    if x is None:
        return "."
    if isinstance(x, float):
        return f"{x:.{digits}f}" if abs(x) < 1e5 else f"{x:.4g}"
    return str(x)


def _p(p: float | None) -> str:
    if p is None:
        return "."
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _balance_table(result: dict) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Covariate balance (SMD: treated SD, full sample)", title_justify="left")
    for col in ("covariate", "SMD before", "SMD after", "var ratio before", "var ratio after"):
        table.add_column(col, justify="left" if col == "covariate" else "right")
    for row in result["balance"]:
        after = row["smd_after"]
        flag = "" if after is None or abs(after) <= 0.1 else " *"
        table.add_row(escape(row["covariate"]), _fmt(row["smd_before"]), _fmt(after) + flag,
                      _fmt(row["var_ratio_before"], 2), _fmt(row["var_ratio_after"], 2))
    return table


def _effects_table(result: dict) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Effect on the treated (ATT, matched sample)", title_justify="left")
    for col in ("outcome", "treated", "control", "ATT", "95% CI", "p", "rate ratio [95% CI]"):
        table.add_column(col, justify="left" if col == "outcome" else "right")
    for e in result["effects"]:
        ci = "." if e["ci_low"] is None else f"{_fmt(e['ci_low'])} to {_fmt(e['ci_high'])}"
        rr = "."
        if e.get("rate_ratio") is not None:
            rr = f"{e['rate_ratio']:.2f} [{_fmt(e['rr_ci_low'], 2)}, {_fmt(e['rr_ci_high'], 2)}]"
        table.add_row(escape(e["outcome"]), _fmt(e["mean_treated"]), _fmt(e["mean_control"]),
                      _fmt(e["estimate"]), ci, _p(e["p"]), rr)
    return table


def render(result: dict, *, heading: str | None = None) -> None:
    """Print a run's balance and effects as rich tables on stdout."""
    import sys

    from rich.console import Console

    # A pipe or a test runner gets a fixed, roomy width instead of rich's 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    if heading:
        console.print(heading, markup=False)
    console.print(
        f"treated = {result['treated_value']!r} (change with --treated-value); "
        f"matched {result['n_treated_matched']} of {result['n_treated']} treated and "
        f"{result['n_control_matched']} of {result['n_control']} controls"
        + (f"; {result['n_dropped']} row(s) with missing values dropped"
           if result.get("n_dropped") else ""),
        markup=False,
    )
    console.print(_balance_table(result))
    console.print("* |SMD| above 0.1 after matching")
    console.print(_effects_table(result))
    estimators = sorted({e["estimator"] for e in result["effects"]}
                        | {e["rr_estimator"] for e in result["effects"] if e.get("rr_estimator")})
    for text in estimators:
        console.print(f"- {text}", soft_wrap=True, markup=False)
    alt = sorted({e["rr_se_alt_label"] for e in result["effects"] if e.get("rr_se_alt_label")})
    for text in alt:
        console.print(f"- rate-ratio SE also given in --json as rr_se_alt: {text}",
                      soft_wrap=True, markup=False)
    for note in result.get("notes", []):
        console.print(f"note: {note}", soft_wrap=True, markup=False)


def _save(project: str, name: str, run: Any) -> None:
    """Store a run, with the matched data that re-estimation within groups needs."""
    from qualkit.outcomes.matched import encode, matched_data
    from qualkit.store import Store

    data_format, blob, n_rows = encode(matched_data(run))
    with Store.open(project) as store:
        store.integration.save_run(name, params=run.params, result=run.result, pairs=run.pairs,
                                   data=blob, data_format=data_format, n_rows=n_rows)


@click.group()
def outcomes() -> None:
    """Match program participants to comparison cases and estimate effects (MatchIt-compatible).

    \b
    Example:
      qualkit outcomes match outcomes_sample/lead_cohort.csv --treatment treated \\
        --covariates sex,race,age,prior_misd_arrests,prior_felony_arrests \\
        --outcomes misd_arrests,felony_arrests --caliper 0.2 --plot balance.png
    """


@outcomes.command("match")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--treatment", required=True, help="Treatment column (two values).")
@click.option("--covariates", required=True, help="Comma-separated covariate columns.")
@click.option("--outcomes", "outcome_cols", required=True, help="Comma-separated outcome columns.")
@click.option("--id", "id_col", default="id", show_default=True, help="Unique id column.")
@click.option("--treated-value", default=None,
              help="Treatment value meaning 'treated' [default: 1, else the value sorting last].")
@click.option("--ratio", type=click.IntRange(min=1), default=1, show_default=True,
              help="Controls matched to each treated unit.")
@click.option("--caliper", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Caliper in SDs of the distance over the full sample (e.g. 0.2).")
@click.option("--exact", default=None, help="Comma-separated columns to match exactly on.")
@click.option("--order", type=click.Choice(ORDERS), default="largest", show_default=True,
              help="Order in which treated units pick their controls.")
@click.option("--replace", is_flag=True, help="Match with replacement.")
@click.option("--distance", type=click.Choice(DISTANCES), default="score", show_default=True,
              help="Match on the propensity score or on its logit.")
@click.option("--adjust", is_flag=True, help="Adjust effects for the covariates (g-computation).")
@click.option("--seed", type=int, default=None, help="Seed for --order random.")
@click.option("--dropna", is_flag=True, help="Drop rows with missing values (and report how many).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write a Love plot to FILE.png and FILE.svg.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--save", "project", type=click.Path(dir_okay=False), default=None,
              help="Store the run in this qualkit project (needs --name).")
@click.option("--name", default=None, help="Name of the stored run.")
def match(data: str, treatment: str, covariates: str, outcome_cols: str, id_col: str,
          treated_value: str | None, ratio: int, caliper: float | None, exact: str | None,
          order: str, replace: bool, distance: str, adjust: bool, seed: int | None, dropna: bool,
          plot_path: str | None, as_json: bool, project: str | None, name: str | None) -> None:
    """Propensity-score match a cohort table and estimate the effect on the treated.

    DATA is a CSV or XLSX file with one row per person.

    \b
    Examples:
      qualkit outcomes match outcomes_sample/lead_cohort.csv --treatment treated \\
        --covariates sex,race,age,prior_citations,prior_misd_arrests,prior_felony_arrests \\
        --outcomes citations,misd_arrests,felony_arrests --caliper 0.2 --plot love.png
      qualkit outcomes match cohort.xlsx --treatment group --treated-value LEAD \\
        --covariates age,race --outcomes arrests --ratio 2 --exact sex --json
      qualkit outcomes match cohort.csv --treatment treated --covariates age,race \\
        --outcomes arrests --save lead.qualkit --name nn-caliper
    """
    if (project is None) != (name is None):
        raise InputError("--save and --name go together: --save PROJECT --name RUN")
    from qualkit.outcomes import love_plot, match_outcomes

    run = match_outcomes(
        data, treatment=treatment, covariates=_split(covariates, "--covariates"),
        outcomes=_split(outcome_cols, "--outcomes"), id_col=id_col, treated_value=treated_value,
        ratio=ratio, caliper=caliper, exact=_split(exact, "--exact", required=False), order=order,
        replace=replace, distance=distance, adjust=adjust, seed=seed, dropna=dropna,
    )
    notes = []
    if plot_path:
        written = love_plot(run.balance, plot_path)
        notes.append("Love plot: " + ", ".join(str(p) for p in written))
    if project:
        _save(project, name, run)
        notes.append(f"saved run {name!r} in {project}")
    if as_json:
        click.echo(json.dumps(run.result, indent=2, allow_nan=False))
    else:
        render(run.result)
    for note in notes:
        click.echo(note, err=as_json)


@outcomes.command("show")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("run_name", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="Print the stored result as JSON.")
def show(project: str, run_name: str, as_json: bool) -> None:
    """Show a matching run stored with `outcomes match --save`.

    \b
    Example:
      qualkit outcomes show lead.qualkit nn-caliper
      qualkit outcomes show lead.qualkit nn-caliper --json
    """
    try:
        from qualkit.store import Store
    except ImportError as exc:
        raise QualkitError("this qualkit build cannot read stored runs yet (qualkit.store is "
                           "missing)") from exc
    with Store.open(project) as store:
        run = store.runs.outcome_run(run_name)
    if as_json:
        click.echo(json.dumps(run.result, indent=2, allow_nan=False))
        return
    params = run.params or {}
    settings = ", ".join(f"{k}={v}" for k, v in params.items() if v not in (None, False, [], ""))
    render(run.result, heading=f"run {run.name!r} ({run.created_at}): {settings}")
