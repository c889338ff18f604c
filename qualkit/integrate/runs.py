"""A saved outcome run as the integration sees it: its effects, its matched data and its links."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualkit.errors import InputError, QualkitError, located
from qualkit.integrate.links import LinksFile, load_links
from qualkit.store.integration import Link

if TYPE_CHECKING:
    from qualkit.outcomes.matched import MatchedData
    from qualkit.store import Store


@dataclass(frozen=True)
class SavedRun:
    """A run saved with ``qualkit outcomes match --save``."""

    name: str
    created_at: str
    params: dict
    result: dict
    pairs: list

    @property
    def outcomes(self) -> list[str]:
        return [e["outcome"] for e in self.result.get("effects", [])]

    def effect(self, outcome: str) -> dict:
        return next(e for e in self.result["effects"] if e["outcome"] == outcome)


def saved_run(store: Store, name: str) -> SavedRun:
    """The saved run called ``name`` (one-line error listing the saved runs otherwise)."""
    store.integration.run_id(name)  # the error names the saved runs
    run = store.runs.outcome_run(name)
    return SavedRun(run.name, run.created_at, run.params, run.result, run.pairs)


def matched(store: Store, run: SavedRun) -> MatchedData:
    """The run's matched data, for re-estimation within groups."""
    from qualkit.outcomes.matched import decode

    stored = store.integration.run_data(run.name)
    if stored is None:
        raise QualkitError(
            f"run '{run.name}' was saved without its matched data (by an older qualkit), so its "
            "effects cannot be re-estimated within groups; save it again with `qualkit outcomes "
            f"match {run.params.get('data', 'DATA')} ... --save PROJECT --name NEW_NAME`")
    return decode(stored[0], stored[1], pairs=run.pairs, params=run.params, run=run.name)


def code_ids_by_name(store: Store) -> dict[str, int]:
    """Active codes by case-folded name."""
    return {c.name.casefold(): c.id for c in store.codes.list()}


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def resolve_links(store: Store, run: SavedRun, spec: LinksFile) -> list[Link]:
    """Check a links file against the project and the run; codes become ids.

    Raises:
        InputError: Naming the file, line and field of an unknown run, outcome or code.
    """
    if spec.run is not None and spec.run != run.name:
        raise InputError(located(spec.source, f"run '{spec.run}' (field `run`) does not match "
                                 f"the run '{run.name}'; fix one of them", line=spec.run_line))
    codes = code_ids_by_name(store)
    names = [c.name for c in store.codes.list()]
    out = []
    for link in spec.links:
        if link.outcome not in run.outcomes:
            raise InputError(located(
                spec.source, f"outcome '{link.outcome}' (field `outcome`) is not an outcome of "
                f"run '{run.name}'{_suggest(link.outcome, run.outcomes)}; its outcomes: "
                + ", ".join(run.outcomes), line=link.line))
        ids = []
        for name, line in zip(link.codes, link.code_lines, strict=True):
            if name.casefold() not in codes:
                raise InputError(located(
                    spec.source, f"unknown code '{name}' (field `codes` of outcome "
                    f"'{link.outcome}'){_suggest(name, names)}; see `qualkit codebook` for the "
                    "codes", line=line))
            ids.append(codes[name.casefold()])
        out.append(Link(link.outcome, tuple(dict.fromkeys(ids)), link.fit, link.meta_inference))
    return out


def read_links(store: Store, run: SavedRun, path: Any) -> tuple[LinksFile, list[Link]]:
    """Load and resolve a links file."""
    spec = path if isinstance(path, LinksFile) else load_links(path)
    return spec, resolve_links(store, run, spec)


def save_links(store: Store, run: str, path: Any, *, author: str | None = None) -> bool:
    """Validate a links file and store its links with the run (one audit event).

    Returns:
        Whether anything changed (loading the same file again writes nothing).
    """
    saved = saved_run(store, run)
    spec, links = read_links(store, saved, path)
    groups = None
    if spec.groups is not None:
        g = spec.groups
        groups = {"documents": g.documents, "outcomes": g.outcomes,
                  "map": None if g.mapping is None else {k: list(v) for k, v in
                                                         g.mapping.items()}}
    return store.integration.set_links(saved.name, links, source=str(spec.source),
                                       author=author, groups=groups)


def current_links(store: Store, run: SavedRun, path: Any = None) -> list[Link]:
    """The links of a file when given, else those stored with the run."""
    if path is not None:
        return read_links(store, run, path)[1]
    return store.integration.links(run.name)
