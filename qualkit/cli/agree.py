"""`qualkit agree` and `qualkit disagreements`: agreement on a ratings file or on a project."""

from __future__ import annotations

import click

from qualkit.cli._common import echo_json, open_store
from qualkit.errors import InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")
# Options of the project mode, by parameter name, as the user types them.
_PROJECT_OPTIONS = {"coders": "--coders", "unit": "--unit", "overlap": "--overlap",
                    "documents": "--documents", "trainee": "--train", "gold": "--gold",
                    "csv_file": "--csv"}


@click.command()
@click.argument("project", required=False, type=click.Path(path_type=str))
@click.option("--ratings", type=click.Path(dir_okay=False),
              help="A ratings CSV (columns unit,coder,value) instead of a project.")
@click.option("--wide", is_flag=True, help="With --ratings: a unit column, then one per coder.")
@click.option("--level", type=click.Choice(LEVELS),
              help="With --ratings: level of measurement (default nominal).")
@click.option("--coders", help="Coders to compare, comma-separated (default: every human coder "
              "with codings).")
@click.option("--unit", type=click.Choice(["segment", "character"]),
              help="segment (default) or character (NVivo's per-character agreement).")
@click.option("--overlap", type=float,
              help="Segment unit: share of a segment one span must cover (default 0 = any).")
@click.option("--documents", multiple=True,
              help="Only these documents (repeatable, or comma-separated).")
@click.option("--bootstrap", "n_boot", type=int, default=0,
              help="Bootstrap resamples for 95% confidence intervals (e.g. 1000).")
@click.option("--seed", type=int, help="Seed of the bootstrap, for reproducible intervals.")
@click.option("--train", "trainee", help="Training mode: this coder against --gold.")
@click.option("--gold", help="Training mode: the gold-standard coder (default consensus).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the per-code table as CSV to FILE ('-' for standard output).")
def agree(project: str | None, ratings: str | None, **options) -> None:
    """Inter-rater agreement: per code, pooled over codes, and coder x coder.

    On a PROJECT, compares the documents that every compared coder marked done
    (`qualkit codings done`) and says which were left out and why. With --ratings,
    computes the same statistics on any ratings table. Undefined values print as
    null (JSON) or — (table), with a note saying why.

    \b
    Example:
      qualkit agree lead.qualkit
      qualkit agree lead.qualkit --coders ana,ben --overlap 0.5 --csv agreement.csv
      qualkit agree lead.qualkit --unit character --json
      qualkit agree lead.qualkit --train carl --gold consensus
      qualkit agree --ratings ratings.csv --level ordinal --bootstrap 1000 --seed 1
    """
    if (project is None) == (ratings is None):
        raise InputError("give a PROJECT or --ratings FILE (one of them)")
    if options["as_json"] and options["csv_file"]:
        raise InputError("choose one output: --json or --csv FILE")
    if ratings is not None:
        _agree_ratings(ratings, options)
    elif options["trainee"]:
        _agree_training(project, options)
    else:
        _agree_project(project, options)


def _agree_ratings(path: str, options: dict) -> None:
    from qualkit.agreement.ratings import read_ratings_csv
    from qualkit.agreement.stats import summarize
    from qualkit.cli._agree_render import render_ratings

    given = [flag for name, flag in _PROJECT_OPTIONS.items() if options[name]]
    if given:
        raise InputError(f"{', '.join(given)} appl{'ies' if len(given) == 1 else 'y'} to a "
                         "PROJECT, not to --ratings")
    level = options["level"] or "nominal"
    data = read_ratings_csv(path, wide=options["wide"], level=level)
    try:
        result = summarize(data, n_boot=_n_boot(options), seed=options["seed"])
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if options["as_json"]:
        echo_json(result.to_dict())
    else:
        click.echo(render_ratings(path, result))


def _n_boot(options: dict) -> int:
    from qualkit.agreement.stats.boot import MAX_BOOT

    if options["n_boot"] < 0:
        raise InputError(f"--bootstrap must be a positive number of resamples, "
                         f"got {options['n_boot']}")
    if options["n_boot"] > MAX_BOOT:
        raise InputError(f"--bootstrap is at most {MAX_BOOT:,} resamples (1,000 to 10,000 give "
                         f"stable 95% intervals), got {options['n_boot']:,}")
    return options["n_boot"]


def _refuse_ratings_options(options: dict) -> None:
    if options["wide"] or options["level"]:
        raise InputError("--wide and --level apply to --ratings files, not to a PROJECT")


def _agree_project(project: str, options: dict) -> None:
    from qualkit.agreement.project import project_agreement
    from qualkit.cli._agree_render import render_project, write_csv

    _refuse_ratings_options(options)
    if options["gold"]:
        raise InputError("--gold needs --train TRAINEE")
    with open_store(project) as store:
        result = project_agreement(
            store,
            coders=split_names(options["coders"]),
            documents=document_names(options["documents"]),
            unit=options["unit"] or "segment",
            overlap=options["overlap"] or 0.0,
            n_boot=_n_boot(options),
            seed=options["seed"],
        )
    if options["as_json"]:
        echo_json(result.to_dict())
    elif options["csv_file"]:
        header, rows = result.csv_rows()
        write_csv(options["csv_file"], header, rows, what=f"{len(rows)} rows")
    else:
        click.echo(render_project(result))


def _agree_training(project: str, options: dict) -> None:
    from qualkit.agreement.training import training_report
    from qualkit.cli._agree_render import render_training, write_csv

    _refuse_ratings_options(options)
    for name, flag in (("coders", "--coders"), ("n_boot", "--bootstrap")):
        if options[name]:
            raise InputError(f"{flag} does not apply to training mode (--train)")
    if options["unit"] == "character":
        raise InputError("training mode compares segments; drop --unit character")
    with open_store(project) as store:
        report = training_report(
            store,
            options["trainee"],
            gold=options["gold"] or "consensus",
            overlap=options["overlap"] or 0.0,
            documents=document_names(options["documents"]),
        )
    if options["as_json"]:
        echo_json(report.to_dict())
    elif options["csv_file"]:
        rows = [list(c.to_dict().values()) for c in (*report.codes, report.pooled)]
        header = list(report.pooled.to_dict())
        write_csv(options["csv_file"], header, rows, what=f"{len(rows)} rows")
    else:
        click.echo(render_training(report))


@click.command()
@click.argument("project", type=click.Path(path_type=str))
@click.option("--coders", help="Coders to compare, comma-separated (default: every human coder "
              "with codings).")
@click.option("--code", help="Only this code.")
@click.option("--overlap", type=float, default=0.0,
              help="Share of a segment one span must cover (default 0 = any overlap).")
@click.option("--documents", multiple=True,
              help="Only these documents (repeatable, or comma-separated).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the list as CSV to FILE ('-' for standard output).")
def disagreements(
    project: str,
    coders: str | None,
    code: str | None,
    overlap: float,
    documents: tuple[str, ...],
    as_json: bool,
    csv_file: str | None,
) -> None:
    """List each segment and code where the coders differ, with the text and who applied it.

    Uses the segment unit of `qualkit agree` on the documents every compared coder
    marked done. Reconcile them in the TUI (`qualkit code`, then R).

    \b
    Example:
      qualkit disagreements lead.qualkit --coders ana,ben
      qualkit disagreements lead.qualkit --coders ana,ben --code "Warm handoff" --csv todo.csv
    """
    from qualkit.agreement.disagreements import CSV_COLUMNS, find_disagreements
    from qualkit.cli._agree_render import render_disagreements, write_csv

    if as_json and csv_file:
        raise InputError("choose one output: --json or --csv FILE")
    with open_store(project) as store:
        found = find_disagreements(store, split_names(coders), code=code, overlap=overlap,
                                   documents=document_names(documents))
    if as_json:
        echo_json(found.to_dict())
    elif csv_file:
        rows = [d.csv_row() for d in found.items]
        write_csv(csv_file, list(CSV_COLUMNS), rows, what=f"{len(rows)} disagreements")
    else:
        click.echo(render_disagreements(found))


def split_names(value: str | None) -> list[str] | None:
    """``a,b`` -> ["a", "b"]; None or blank -> None."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise InputError("--coders is empty; name the coders, e.g. --coders ana,ben")
    return names


def document_names(values: tuple[str, ...]) -> list[str] | None:
    """Repeated --documents values, each possibly a comma-separated list."""
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    return names or None
