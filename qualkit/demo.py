"""The sample project: the LEAD codebook, the nine fictional transcripts and two coders' codings,
built (or brought up to date) idempotently in the user's data folder."""

from __future__ import annotations

from pathlib import Path

from qualkit.errors import QualkitError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "lead_process.yaml"


def demo_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("qualkit")) / "demo" / "lead_demo.qualkit"


def build_demo(path: Path | None = None) -> Path:
    """Create or update the demo project; running it again changes nothing."""
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
    store = Store.open(path) if path.exists() else Store.create(path)
    with store:
        if not store.codes.list(include_retired=True):
            apply_codebook(store, load_codebook(CODEBOOK))
        import_transcripts(store, [SAMPLE])
        for csv in sorted((SAMPLE / "codings").glob("*.csv")):
            import_codings(store, csv, coder=csv.stem)
            session = CodingSession(store, csv.stem)
            for document_id in {
                c.document_id for c in store.codings.all(coder_ids=[session.coder.id])
            }:
                session.set_done(document_id)
    return path
