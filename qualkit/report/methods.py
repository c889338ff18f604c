"""Section 8, the methods appendix: software versions, the parameters and seeds of every run
the report cites, the formulas by reference, and the project's SHA-256."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from qualkit.report.context import Context
from qualkit.report.model import Bullets, Heading, Paragraph, Section, Table

LIBRARIES = ("qualkit", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "python-docx",
             "sqlite-utils", "bertopic", "scikit-learn")

REFERENCES = (
    "Agreement: percent agreement; Cohen (1960) κ, Educ. Psychol. Meas. 20:37; Fleiss (1971) "
    "κ, Psychol. Bull. 76:378; Krippendorff (2019) α, Content Analysis, 4th ed., ch. 12; Gwet "
    "(2008) AC1, Br. J. Math. Stat. Psychol. 61:29; Brennan & Prediger (1981), Educ. Psychol. "
    "Meas. 41:687. Units and formulas: docs/agreement.md.",
    "Saturation: Guest, Namey & Chen (2020), PLoS ONE 15(5):e0232076 (base, run, new-"
    "information threshold). docs/integrate.md.",
    "Topics: Grootendorst (2022), BERTopic, arXiv:2203.05794; McInnes et al. (2018) UMAP; "
    "Campello et al. (2013) HDBSCAN. docs/topics.md.",
    "Matching and balance: Ho, Imai, King & Stuart (2011), J. Stat. Softw. 42(8) (MatchIt); "
    "Austin (2009), Stat. Med. 28:3083 (standardised differences). docs/outcomes.md.",
    "Effects: ATT by weighted least squares with pair-clustered (CR1) standard errors, Abadie & "
    "Spiess (2022), JASA 117:983; rate ratios by Poisson regression with a sandwich variance, "
    "Zou (2004), Am. J. Epidemiol. 159:702.",
    "Integration: Fetters, Curry & Creswell (2013), Health Serv. Res. 48:2134 (joint displays, "
    "fit: confirmation, expansion, discordance).",
)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def methods(ctx: Context) -> Section:
    section = Section("methods", "8. Methods appendix")
    section.add(Heading("Data"))
    section.add(Paragraph(
        f"Project file {ctx.store.path.name}; SHA-256 of its content as SQLite reads it (every "
        f"page, the write-ahead log included): {ctx.store.content_sha256()}. The same project "
        "and options give the same report, apart from the generation time."))
    section.add(Heading("Software"))
    versions = [("python", platform.python_version()), ("sqlite", ctx.store.sqlite_version())]
    versions += [(name, _version(name)) for name in LIBRARIES]
    section.add(Table("Software and library versions that produced this report",
                      ("Package", "Version"), tuple(versions)))
    section.add(Heading("Runs and parameters cited"))
    section.add(Table("Every parameter and seed of the analyses in this report",
                      ("Analysis", "Parameters"), tuple(_cited(ctx)), row_headers=True))
    section.add(Heading("Formulas and references"))
    section.add(Bullets(REFERENCES))
    return section


def _cited(ctx: Context) -> list[tuple[str, str]]:
    rows = []
    cited, opts = ctx.cited, ctx.options
    if "agreement" in cited:
        rows.append(("Agreement", _kv(cited["agreement"])))
    if "saturation" in cited:
        rows.append(("Saturation", _kv(cited["saturation"])))
    scope = ", ".join(opts.scope) if opts.scope else "default (consensus if present)"
    rows.append(("Scope of coverage and integration tables", f"coders: {scope}"))
    if "topics" in cited:
        run = cited["topics"]
        params = {k: v for k, v in run.params.items() if k != "parts"}
        rows.append((f"Topic run {run.id}", _kv({"model": run.model, "seed": run.seed,
                                                 "created": run.created_at, **params})))
        rows.append((f"Topic run {run.id}: parts", json.dumps(run.params.get("parts", {}),
                                                             sort_keys=True)))
        rows.append((f"Topic run {run.id}: versions", _kv(run.versions)))
    if "run" in cited:
        run = cited["run"]
        rows.append((f"Match run “{run.name}”", _kv({"created": run.created_at, **run.params})))
        rows.append((f"Match run “{run.name}”: propensity model",
                     json.dumps(run.result.get("propensity", {}), sort_keys=True)[:600]))
    rows.append(("Links (joint display)", _links(opts.links)))
    rows.append(("Equity lens", _kv({"by": opts.equity_by,
                                     "code": opts.equity_code or "Bias concerns"})))
    return rows


def _links(path: str | None) -> str:
    """The links file by name and content hash (its folder differs between machines)."""
    if path is None:
        return "the links stored with the run"
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return f"{Path(path).name} (SHA-256 {digest})"


def _kv(values: dict) -> str:
    return "; ".join(f"{k} = {json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v}"
                     for k, v in values.items())
