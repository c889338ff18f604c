"""The sample project: the LEAD codebook, the nine fictional transcripts and two coders' codings,
built (or brought up to date) idempotently in the user's data folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qualkit.errors import QualkitError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "lead_process.yaml"


def demo_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("qualkit")) / "demo" / "lead_demo.qualkit"


def build_demo(
    path: Path | None = None,
    *,
    say: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Create or update the demo project; running it again changes nothing (the audit trail
    included).

    Args:
        path: where; default the user's data folder.
        say: called with a line about each step, the first before any slow work, so that the
            first run (spaCy's import alone takes 10 to 20 s) never shows a silent terminal.
        progress: called as ``progress(characters done, total)`` while transcripts are split.
    """
    say = say or (lambda _line: None)
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.coding.csv_io import import_codings
    from qualkit.coding.session import CodingSession
    from qualkit.ingest.importer import import_transcripts
    from qualkit.store import Store

    if not SAMPLE.is_dir() or not CODEBOOK.is_file():
        raise QualkitError(
            f"the sample data is not installed next to the package ({SAMPLE}); "
            "run `qualkit demo` from a clone of the repository (pip install -e .)"
        )
    path = path or demo_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    new = not path.exists()
    say(f"{'creating' if new else 'checking'} the sample project {path}")
    store = Store.open(path) if not new else Store.create(path)
    with store:
        if not store.codes.list(include_retired=True):
            say("loading the LEAD codebook")
            apply_codebook(store, load_codebook(CODEBOOK))
        if new:
            say("splitting the sample transcripts into sentences (loading spaCy takes a while "
                "the first time)")
        import_transcripts(store, [SAMPLE], progress=progress)
        for csv in sorted((SAMPLE / "codings").glob("*.csv")):
            if new:
                say(f"adding {csv.stem}'s codings")
            import_codings(store, csv, coder=csv.stem)
            session = CodingSession(store, csv.stem)
            for document_id in {
                c.document_id for c in store.codings.all(coder_ids=[session.coder.id])
            }:
                session.set_done(document_id)
    return path
