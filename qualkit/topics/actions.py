"""What coders do with a topic: promote it to an emergent code, map it to an existing code,
dismiss it, and have the machine coder ``bertopic`` suggest codings that humans review.

Promotion inserts the code directly (one transaction with its event) rather than as an undoable
coding action: undoing it would have to delete a code that suggestions and later codings point
to. A wrong promotion is fixed like any code, by retiring it in the codebook editor.

Suggestions are codings of the machine coder ``bertopic`` (kind "machine"): never written as a
human's, and compared with humans by the agreement module like any coder (the run's documents
are marked done for it). A human accepts one by coding the span (an ordinary, undoable coding
of their own) or rejects it (recorded); the machine's codings themselves never change, so its
agreement with humans is not inflated by the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.coding.session import CodingSession
    from qualkit.models import Coder
    from qualkit.store import Store
    from qualkit.store.topics import Suggestion, TopicRow, TopicRun

MACHINE_CODER = "bertopic"
EMERGENT_COLOR = "#8e44ad"  # one colour for emergent codes until a coder picks another


@dataclass(frozen=True)
class Promoted:
    code_id: int
    name: str
    suggestions: int


def promote_topic(
    store: Store, run_id: int, topic: int, name: str, *, coder: str | None = None,
    parent: str | None = None, suggest: bool = False,
) -> Promoted:
    """Create an emergent code from a topic: origin = (run, topic), definition seeded from the
    keywords and example from the best quote, for the coder to edit.

    Raises:
        QualkitError: unknown run or topic, topic already promoted, name taken or empty,
            unknown parent.
    """
    run, row = _topic(store, run_id, topic)
    if row.status == "promoted":
        raise QualkitError(f"topic {topic} of run {run.id} was already promoted to code "
                           f"'{row.target_code_name}'")
    name = _free_name(store, name)
    parent_id = _parent(store, parent)
    quotes = store.topics.members(run.id, topic, turns=_turns(run), quotes=True)
    best = min(quotes, key=lambda m: m.quote_rank or 0).text if quotes else ""
    with store.atomic():
        code_id = store.codes.insert({
            "name": name, "parent_id": parent_id, "position": store.codes.next_position(parent_id),
            "description": seeded_definition(run, row), "example": " ".join(best.split())[:400],
            "color": EMERGENT_COLOR, "origin": "emergent",
            "origin_detail": {"run": run.id, "topic": topic, "keywords": row.keywords,
                              "model": run.model, "closest_code": row.code_name,
                              "similarity": row.similarity},
        })
        store.topics.set_status(run.id, topic, "promoted", target_code_id=code_id, label=name)
        store.log("topics.promote", {"run": run.id, "topic": topic, "code_id": code_id,
                                     "name": name}, coder=coder)
        added = _suggest(store, run, topic, code_id, coder) if suggest else 0
    return Promoted(code_id, name, added)


def seeded_definition(run: TopicRun, row: TopicRow) -> str:
    return (f"Emergent theme from topic {row.topic} of topic run {run.id} (keywords: "
            f"{', '.join(row.keywords[:8])}). Edit this definition: say what the theme covers "
            "and when to use the code.")


def map_topic(
    store: Store, run_id: int, topic: int, code_id: int, *, coder: str | None = None,
    suggest: bool = False,
) -> int:
    """Record that a topic is an existing code's theme; returns how many suggestions
    were written (with ``suggest``)."""
    run, row = _topic(store, run_id, topic)
    code = store.codes.get(code_id)
    if row.status == "promoted":
        raise QualkitError(f"topic {topic} was promoted to '{row.target_code_name}'; "
                           "retire or merge that code in the codebook editor instead")
    with store.atomic():
        store.topics.set_status(run.id, topic, "mapped", target_code_id=code.id, label=code.name)
        store.log("topics.map", {"run": run.id, "topic": topic, "code_id": code.id}, coder=coder)
        return _suggest(store, run, topic, code.id, coder) if suggest else 0


def dismiss_topic(store: Store, run_id: int, topic: int, *, coder: str | None = None,
                  restore: bool = False) -> str:
    """Mark a topic as not a theme (noise, small talk), or bring it back; returns the status."""
    run, row = _topic(store, run_id, topic)
    if row.status == "promoted":
        raise QualkitError(f"topic {topic} was promoted to '{row.target_code_name}'; "
                           "retire that code in the codebook editor instead")
    status = "new" if restore else "dismissed"
    with store.atomic():
        store.topics.set_status(run.id, topic, status)
        store.log("topics.dismiss" if not restore else "topics.restore",
                  {"run": run.id, "topic": topic}, coder=coder)
    return status


def write_suggestions(store: Store, run_id: int, topic: int, *, coder: str | None = None) -> int:
    """Code a promoted or mapped topic's units as the machine coder; returns how many
    codings were new."""
    run, row = _topic(store, run_id, topic)
    if row.target_code_id is None or row.status not in ("promoted", "mapped"):
        raise QualkitError(f"topic {topic} has no code yet: promote it or map it to a code "
                           "before writing suggestions")
    with store.atomic():
        return _suggest(store, run, topic, row.target_code_id, coder)


def _suggest(store: Store, run: TopicRun, topic: int, code_id: int, coder: str | None) -> int:
    machine = machine_coder(store, create=True)
    assert machine is not None
    members = store.topics.members(run.id, topic, turns=_turns(run))
    known = {d.id for d in store.documents.list()}
    documents = [d for d in run.stats.get("document_ids", []) if d in known]
    added = store.topics.add_suggestions(
        machine.id, code_id, [(m.document_id, m.start, m.end) for m in members], documents)
    store.log("topics.suggest", {"run": run.id, "topic": topic, "code_id": code_id,
                                 "codings": added}, coder=coder)
    return added


def machine_coder(store: Store, *, create: bool = False) -> Coder | None:
    """The ``bertopic`` coder; a user error if a human already uses that name."""
    found = store.codings.coder(MACHINE_CODER)
    if found is not None and found.kind != "machine":
        raise QualkitError(f"coder '{MACHINE_CODER}' is a {found.kind} coder in this project; "
                           "rename that coder so machine suggestions stay apart")
    if found is None and create:
        found = store.codings.ensure_coder(MACHINE_CODER, kind="machine")
    return found


def pending_suggestions(store: Store, reviewer: Coder, *, code_id: int | None = None
                        ) -> list[Suggestion]:
    """The machine's suggestions the reviewer has not yet accepted or rejected."""
    machine = machine_coder(store)
    if machine is None:
        return []
    return store.topics.pending(machine.id, reviewer.id, code_id=code_id)


def accept_suggestion(session: CodingSession, suggestion: Suggestion) -> bool:
    """Code the suggested span as the session's coder (undoable like any coding); False if
    the coder had already coded it with that code."""
    store, coder = session.store, session.coder
    if coder.kind != "human" and coder.kind != "consensus":
        raise QualkitError("only a human or consensus coder can review suggestions")
    mine = store.codings.for_document(suggestion.document_id, coder_ids=[coder.id])
    done = any(c.code_id == suggestion.code_id and c.overlaps(suggestion.start, suggestion.end)
               for c in mine)
    with store.atomic():
        if not done:
            session.toggle(suggestion.document_id, suggestion.code_id,
                           [(suggestion.start, suggestion.end)])
        store.topics.review(suggestion.coding_id, coder.id, "accepted")
    return not done


def reject_suggestion(store: Store, reviewer: Coder, suggestion: Suggestion) -> None:
    """Record that the reviewer does not apply the suggested code to the span."""
    with store.atomic():
        store.topics.review(suggestion.coding_id, reviewer.id, "rejected")
        store.log("topics.reject", {"coding_id": suggestion.coding_id,
                                    "code_id": suggestion.code_id}, coder=reviewer.name)


def _topic(store: Store, run_id: int, topic: int) -> tuple[TopicRun, TopicRow]:
    run = store.topics.run(run_id)
    return run, store.topics.topic(run.id, topic)


def _turns(run: TopicRun) -> bool:
    return bool(run.params.get("turns"))


def _free_name(store: Store, name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise QualkitError("the new code needs a name: pass --name NAME")
    other = store.codes.by_name(name)
    if other is not None:
        raise QualkitError(f"there is already a code called '{other.name}'; choose another "
                           "name, or map the topic to that code with `qualkit topics map`")
    return name


def _parent(store: Store, parent: str | None) -> int | None:
    if not parent:
        return None
    code = store.codes.by_name(parent)
    if code is None:
        raise QualkitError(f"no code called '{parent}' to put the new code under")
    return code.id
