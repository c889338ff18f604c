"""The sample report as a reader prints it: headless Chromium's "print to PDF" on Letter and
A4 paper, then every page checked for something drawn on it. Skipped where Debian's
``chromium`` is not installed (``apt-get install chromium``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from qualkit.report import ReportOptions, render
from qualkit.store import Store

from .report_helpers import build_report_sample

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Chromium is not installed (apt-get install chromium)")
SIZES = {"Letter": (612, 792), "A4": (595, 842)}  # points


def pdf_pages(data: bytes) -> list[tuple[tuple[int, int], bytes]]:
    """(media box size, decompressed content stream) of every page; enough of PDF for the
    files Chromium (Skia) writes: plain objects, one Flate content stream per page."""
    objects = {int(m.group(1)): m.group(2)
               for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)}
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", body).group(1).split()]
        content = objects[int(re.search(rb"/Contents\s+(\d+)\s+0\s+R", body).group(1))]
        start = content.index(b"stream") + 6
        start += 2 if content[start:start + 2] == b"\r\n" else 1  # the EOL after "stream"
        stream = content[start:content.rindex(b"endstream")]  # may keep one EOL: harmless
        if b"/FlateDecode" in content[:start]:
            stream = zlib.decompressobj().decompress(stream)
        pages.append(((round(box[2] - box[0]), round(box[3] - box[1])), stream))
    return pages


@pytest.fixture(scope="module")
def sample_html(_sample_project_template, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("chromium")
    project = build_report_sample(folder / "sample.qualkit", template=_sample_project_template)
    with Store.open(project) as store:
        text = render(store, "html", ReportOptions(coders=("ana", "ben")))
    path = folder / "report.html"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_printing_the_sample_report_gives_clean_pages(sample_html, tmp_path, paper):
    html = sample_html.read_text(encoding="utf-8")
    if paper == "A4":  # what a reader's A4 printer asks for
        html = html.replace("@page {", "@page { size: A4;", 1)
    source = tmp_path / "report.html"
    source.write_text(html, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    pages = pdf_pages(pdf.read_bytes())
    # nine sections, each from a new page but the first; appendix tables run to more pages
    assert 10 <= len(pages) <= 60, len(pages)
    assert {size for size, _ in pages} == {SIZES[paper]}
    for number, (_, stream) in enumerate(pages, start=1):
        drawn = re.search(rb"\bT[Jj]\b|\bDo\b", stream)  # text shown or an image painted
        assert drawn, f"page {number} of {len(pages)} is blank"
