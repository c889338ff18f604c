"""`qualkit topics`: fit a topic model, list its topics against the codebook, and act on them.

`qualkit topics PROJECT ...` is short for `qualkit topics fit PROJECT ...`: a group cannot take
a PROJECT argument of its own and still tell it from a subcommand's name, so the group routes
anything that is not a subcommand to `fit`.
"""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, echo_json, open_store, table, warn
from qualkit.errors import InputError, QualkitError
from qualkit.files import write_private
from qualkit.topics.pipeline import TopicOptions

# The defaults live once, on TopicOptions; the flags show them.
DEFAULTS = TopicOptions()

RUN = click.argument("run", metavar="RUN")
TOPIC = click.argument("topic", type=int)
CODER = click.option("--coder", help="Who decides (recorded in the project's event log).")


class _FitByDefault(click.Group):
    """A group whose first argument, unless it names a subcommand, goes to `fit`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["fit", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_FitByDefault)
def topics() -> None:
    """Suggest emergent themes with BERTopic, mapped to the codebook.

    `qualkit topics PROJECT` fits a model (same as `qualkit topics fit PROJECT`) and lists
    its topics: keywords, size, closest code, similarity, coverage by human coders, and ★ for
    candidate new themes. Then promote, map or dismiss topics by run and topic number.

    \b
    Example:
      qualkit topics lead.qualkit
      qualkit topics show lead.qualkit --json
      qualkit topics promote lead.qualkit 1 4 --name "Housing scarcity" --suggest
    """


@topics.command()
@PROJECT
@click.option("--min-topic-size", type=int, default=DEFAULTS.min_topic_size, show_default=True,
              help="Smallest topic (HDBSCAN cluster); larger gives fewer, broader topics.")
@click.option("--nr-topics", help="Merge topics down to this many (a number, or 'auto').")
@click.option("--seed", type=int, default=DEFAULTS.seed, show_default=True,
              help="Random seed of UMAP: the same seed gives the same topics.")
@click.option("--documents", "documents", multiple=True,
              help="Only these documents (repeatable, or comma-separated names).")
@click.option("--turns", is_flag=True, help="Model whole speaker turns instead of segments.")
@click.option("--min-words", type=int, default=DEFAULTS.min_words, show_default=True,
              help="Leave out segments with fewer words.")
@click.option("--include-researchers", is_flag=True,
              help="Keep the interviewer's and facilitator's turns.")
@click.option("--similarity-threshold", type=float, default=DEFAULTS.similarity_threshold,
              show_default=True,
              help="Candidate new theme: similarity to the closest code below this …")
@click.option("--coverage-threshold", type=float, default=DEFAULTS.coverage_threshold,
              show_default=True,
              help="… and coverage by human coders below this.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.option("--markdown", type=click.Path(dir_okay=False), help="Write a Markdown summary.")
def fit(project: str, min_topic_size: int, nr_topics: str | None, seed: int,
        documents: tuple[str, ...], turns: bool, min_words: int, include_researchers: bool,
        similarity_threshold: float, coverage_threshold: float, as_json: bool,
        markdown: str | None) -> None:
    """Fit a topic model on the participants' segments and list its topics.

    Embeddings are cached in the project, so a refit never embeds again.

    \b
    Example:
      qualkit topics fit lead.qualkit
      qualkit topics lead.qualkit --min-topic-size 15 --json
      qualkit topics lead.qualkit --documents int_case_manager.srt,fg_legal_partners.txt
    """
    from qualkit.topics import TopicOptions, fit_topics, topic_report

    options = TopicOptions(
        min_topic_size=min_topic_size, nr_topics=_nr_topics(nr_topics), seed=seed,
        documents=_names(documents), turns=turns, min_words=min_words,
        include_researchers=include_researchers, similarity_threshold=similarity_threshold,
        coverage_threshold=coverage_threshold,
    )
    with open_store(project) as store:
        with _Progress() as progress:
            run = fit_topics(store, options, progress=progress)
        for message in run.stats.get("warnings", []):
            warn(message)
        _render(project, topic_report(store, run.id), as_json, markdown)


@topics.command()
@PROJECT
@click.argument("run", metavar="[RUN]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.option("--markdown", type=click.Path(dir_okay=False), help="Write a Markdown summary.")
def show(project: str, run: str | None, as_json: bool, markdown: str | None) -> None:
    """List the topics of a stored run (the latest unless RUN is given).

    \b
    Example:
      qualkit topics show lead.qualkit
      qualkit topics show lead.qualkit 2 --json --markdown topics.md
    """
    from qualkit.topics import topic_report

    with open_store(project) as store:
        _render(project, topic_report(store, _run_id(run)), as_json, markdown)


@topics.command()
@PROJECT
@RUN
@TOPIC
@click.option("--name", required=True, help="Name of the new emergent code.")
@click.option("--parent", help="Put the new code under this code.")
@click.option("--suggest", is_flag=True,
              help="Also code the topic's segments as the machine coder 'bertopic'.")
@CODER
def promote(project: str, run: str, topic: int, name: str, parent: str | None, suggest: bool,
            coder: str | None) -> None:
    """Promote a topic to an emergent code (definition seeded from its keywords).

    With --suggest its segments become suggestions of the machine coder `bertopic`, which
    coders accept or reject in the TUI and compare with `qualkit agree` like any coder.

    \b
    Example:
      qualkit topics promote lead.qualkit 1 4 --name "Housing scarcity"
      qualkit topics promote lead.qualkit latest 4 --name "Housing scarcity" --suggest
    """
    from qualkit.topics import promote_topic

    with open_store(project) as store:
        run_id = store.topics.run(_run_id(run)).id
        done = promote_topic(store, run_id, topic, name, coder=coder, parent=parent,
                             suggest=suggest)
    extra = f"; {done.suggestions} suggestions by bertopic" if suggest else ""
    click.echo(f"{project}: topic {topic} of run {run_id} promoted to emergent code "
               f"'{done.name}'{extra}")


@topics.command("map")
@PROJECT
@RUN
@TOPIC
@click.option("--code", "code_name", required=True, help="The existing code the topic is.")
@click.option("--suggest", is_flag=True,
              help="Also code the topic's segments with it as the machine coder 'bertopic'.")
@CODER
def map_(project: str, run: str, topic: int, code_name: str, suggest: bool,
         coder: str | None) -> None:
    """Record that a topic is the theme of an existing code.

    \b
    Example:
      qualkit topics map lead.qualkit 1 3 --code "Warm handoff"
    """
    from qualkit.topics import map_topic

    with open_store(project) as store:
        code = store.codes.by_name(code_name)
        if code is None:
            raise InputError(f"no code called '{code_name}'; see `qualkit codebook "
                             f"{project} --export -`")
        run_id = store.topics.run(_run_id(run)).id
        added = map_topic(store, run_id, topic, code.id, coder=coder, suggest=suggest)
    extra = f"; {added} suggestions by bertopic" if suggest else ""
    click.echo(f"{project}: topic {topic} of run {run_id} mapped to '{code.name}'{extra}")


@topics.command()
@PROJECT
@RUN
@TOPIC
@click.option("--restore", is_flag=True, help="Bring a dismissed topic back.")
@CODER
def dismiss(project: str, run: str, topic: int, restore: bool, coder: str | None) -> None:
    """Dismiss a topic that is no theme (small talk, noise), or restore it.

    \b
    Example:
      qualkit topics dismiss lead.qualkit 1 0
      qualkit topics dismiss lead.qualkit 1 0 --restore
    """
    from qualkit.topics import dismiss_topic

    with open_store(project) as store:
        run_id = store.topics.run(_run_id(run)).id
        status = dismiss_topic(store, run_id, topic, coder=coder, restore=restore)
    click.echo(f"{project}: topic {topic} of run {run_id} is {status}")


@topics.command()
@PROJECT
@RUN
@TOPIC
@CODER
def suggest(project: str, run: str, topic: int, coder: str | None) -> None:
    """Code a promoted or mapped topic's segments as the machine coder `bertopic`.

    \b
    Example:
      qualkit topics suggest lead.qualkit 1 4
    """
    from qualkit.topics import write_suggestions

    with open_store(project) as store:
        run_id = store.topics.run(_run_id(run)).id
        added = write_suggestions(store, run_id, topic, coder=coder)
    click.echo(f"{project}: {added} suggestions by bertopic for topic {topic} of run {run_id}")


# -- helpers ---------------------------------------------------------------------------------


def _run_id(text: str | None) -> int | None:
    if text is None or text.strip().lower() == "latest":
        return None
    try:
        return int(text)
    except ValueError:
        raise QualkitError(f"RUN must be a run number or 'latest', not '{text}'") from None


def _nr_topics(text: str | None) -> int | str | None:
    if text is None or text.strip().lower() == "auto":
        return None if text is None else "auto"
    try:
        return int(text)
    except ValueError:
        raise QualkitError(f"--nr-topics must be a number or 'auto', not '{text}'") from None


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n.strip() for v in values for n in v.split(",") if n.strip())


def _render(project: str, report, as_json: bool, markdown: str | None) -> None:
    from qualkit.topics import topic_markdown

    if markdown:
        write_private(markdown, topic_markdown(report))
    if as_json:
        echo_json(report.to_json())
        return
    click.echo(_listing(project, report))
    if markdown:
        click.echo(f"Markdown summary written to {markdown}")


def _listing(project: str, report) -> str:
    from qualkit.topics.report import fmt

    run, stats = report.run, report.run.stats
    rows = [(t.row.topic, t.row.size, _clip(", ".join(t.row.keywords[:5]), 44),
             _clip(t.row.code_name or "—", 26), fmt(t.row.similarity), fmt(t.row.coverage),
             "★" if t.row.candidate else "", _status(t.row)) for t in report.topics]
    lines = [
        f"{project}: run {run.id}: {len(report.topics)} topics from {stats.get('units')} "
        f"units ({stats.get('outliers')} outliers), seed {run.seed}, min topic size "
        f"{run.params.get('min_topic_size')}",
        "",
        table(("topic", "size", "keywords", "closest code", "sim", "cov", "new", "status"),
              rows, right={0, 1, 4, 5}),
    ]
    for topic in [t for t in report.candidates if t.row.status == "new"][:8]:
        lines += ["", f"★ topic {topic.id}: {', '.join(topic.row.keywords[:6])}"]
        lines += [f"    “{_clip(q.text, 100)}” ({q.document}, {q.speaker or '?'})"
                  for q in topic.quotes[:3]]
    if report.candidates:
        lines += ["", f"Promote one: qualkit topics promote {project} {run.id} TOPIC --name NAME"]
    return "\n".join(lines)


def _status(row) -> str:
    if row.status in ("promoted", "mapped"):
        return f"{row.status} → {row.target_code_name}"
    return "" if row.status == "new" else row.status


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Progress:
    """A progress bar on stderr for embedding and fitting, when stderr is a terminal."""

    def __init__(self) -> None:
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        import sys

        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=Console(stderr=True),
                                transient=True)
            self.bar.start()
        return self

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if phase not in self.tasks:
            label = {"load": "loading the embedding model", "embed": "embedding",
                     "fit": "fitting BERTopic (steps)", "map": "mapping to codes"}
            self.tasks[phase] = self.bar.add_task(label.get(phase, phase), total=total or None)
        self.bar.update(self.tasks[phase], completed=done, total=total or None)

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()
