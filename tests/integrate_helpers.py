"""Projects for the integration tests: a tiny one with known answers, and the sample with a run.

Tiny: every document holds four 10-character segments (segment s spans 11*s .. 11*s + 10),
spoken by INTERVIEWER, P1, P2 and P1 again; codes A (with sub-code A1) and B.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from qualkit.store import Store, now

from .conftest import CODEBOOK, ROOT, SAMPLE, cli

LINES = ("aaaa aaaaa", "bbbb bbbbb", "cccc ccccc", "dddd ddddd")
TEXT = "\n".join(LINES) + "\n"
SPEAKERS = ("INTERVIEWER", "P1", "P2", "P1")
COHORT = ROOT / "outcomes_sample" / "lead_cohort.csv"
LINKS = ROOT / "outcomes_sample" / "links.yaml"
COVS = "sex,race,age,prior_citations,prior_misd_arrests,prior_felony_arrests,prior_misd_cases," \
       "prior_felony_cases"
OUTS = "citations,misd_arrests,felony_arrests,misd_cases,felony_cases"
RUN = "sample-nn"


def seg(index: int) -> tuple[int, int]:
    return 11 * index, 11 * index + 10


def tiny_project(path: Path, documents: Sequence[tuple[str, dict]]) -> Path:
    """Documents (name, metadata fields) with the four segments; codes A, A1 (in A), B."""
    rows = [(i, i, SPEAKERS[i], *seg(i)) for i in range(4)]
    with Store.create(path) as store, store.atomic():
        a = store.codes.insert({"name": "A", "position": 0})
        store.codes.insert({"name": "A1", "parent_id": a, "position": 0})
        store.codes.insert({"name": "B", "position": 1})
        for name, fields in documents:
            doc = store.documents.add(
                name=name, text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
                format="txt", source=None, encoding="utf-8", segments=rows, imported_at=now())
            attributes = fields.pop("attributes", {})
            store.documents.set_metadata(doc, fields, attributes)
            store.documents.set_speakers(doc, {"INTERVIEWER": "interviewer", "P1": "officer",
                                               "P2": "case manager"})
    return path


def code(path: Path, coder: str, spans: Sequence[tuple[str, str, int]], *,
         kind: str = "human") -> None:
    """Give ``coder`` codings of whole segments: (document, code, segment index)."""
    with Store.open(path) as store, store.atomic():
        coder_id = store.codings.ensure_coder(coder, kind=kind).id
        store.codings.add_many([(store.documents.by_name(d).id, store.codes.by_name(c).id, coder_id,
                             *seg(s)) for d, c, s in spans])


def build_sample(path: Path, *, run: bool = True) -> Path:
    """The sample transcripts with ana's, ben's and rita's codings (all done), and a saved run."""
    assert cli("init", path, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", path, SAMPLE).exit_code == 0
    for coder in ("ana", "ben", "rita"):
        assert cli("codings", "import", path, SAMPLE / "codings" / f"{coder}.csv",
                   "--coder", coder).exit_code == 0
        assert cli("codings", "done", path, "--coder", coder, "--all").exit_code == 0
    if run:
        result = cli("outcomes", "match", COHORT, "--treatment", "treated", "--covariates", COVS,
                     "--outcomes", OUTS, "--save", path, "--name", RUN, "--json")
        assert result.exit_code == 0, result.stderr
    return path


def fresh_copy(template: Path, folder: Path) -> Path:
    path = folder / "sample.qualkit"
    shutil.copy(template, path)
    return path
