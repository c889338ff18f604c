"""De-identification: find names, places, organisations, dates, phone numbers, e-mails, street
addresses, ages and ID numbers (spaCy NER + pattern rules + the project's known names), review
the candidates, and write a redacted copy of the project with one consistent pseudonym per
person or place and every coding's position carried over.

    from qualkit.store import Store
    from qualkit import redact

    with Store.open("lead.qualkit") as store:
        for c in redact.scan(store):            # stored in the project for review
            redact.decide(store, c, "accept-all")
        redact.write_copy(store, "lead-redacted.qualkit")
"""

from __future__ import annotations

from qualkit.redact.apply import CopyResult, Plan, plan, write_copy
from qualkit.redact.detect import MODEL_NAME, Detector, Found, load_pipeline
from qualkit.redact.review import (
    DECISIONS,
    Candidate,
    Resolver,
    candidates,
    decide,
    known_names,
    load_names,
    mark_string,
    read_decisions,
    scan,
    stale_documents,
    undecide,
)
from qualkit.redact.text import OffsetMap, Replacement, redact_span

__all__ = [
    "DECISIONS",
    "MODEL_NAME",
    "Candidate",
    "CopyResult",
    "Detector",
    "Found",
    "OffsetMap",
    "Plan",
    "Replacement",
    "Resolver",
    "candidates",
    "decide",
    "known_names",
    "load_names",
    "load_pipeline",
    "mark_string",
    "plan",
    "read_decisions",
    "redact_span",
    "scan",
    "stale_documents",
    "undecide",
    "write_copy",
]
