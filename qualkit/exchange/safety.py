"""Reading files that come from strangers: a ``.qdpx`` is a zip of XML written by any program.

Every refusal is one line that names the file and the reason. Nothing here writes anywhere:
members are read into memory (within the limits) and never extracted to disk, so a member name
can never place a file outside a folder, but names that try to are still refused, because an
archive that carries them was not written by an honest exporter.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from qualkit.errors import InputError

if TYPE_CHECKING:
    from lxml import etree

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Caps on what one import may read. The defaults take a 200-interview project with
    hundreds of thousands of codings; pass larger ones for more.

    Attributes:
        max_members: entries in the zip.
        max_total: sum of the declared uncompressed sizes of all entries (media included,
            although media are never read).
        max_read: bytes qualkit actually decompresses (the XML and the text sources).
        max_ratio: uncompressed / compressed size of any entry over ``ratio_floor`` bytes.
        max_elements: XML elements in one document.
    """

    max_members: int = 20_000
    max_total: int = 8 * 1024 * MiB
    max_read: int = 1024 * MiB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB
    max_elements: int = 3_000_000


DEFAULT_LIMITS = Limits()


class SafeArchive:
    """A ``.qdpx`` opened for reading, its member names checked; members read on demand."""

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        self.read_so_far = 0
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such file")
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"{self.path}: not a REFI-QDA project archive (.qdpx is a zip file): {exc}"
            ) from None
        try:
            self.members = self._check_members()
        except BaseException:
            self.zip.close()
            raise
        # Lower-cased name -> real member name: exporters differ in the case of `sources/`.
        self.by_lower = {name.lower(): name for name in self.members}

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_members:
            raise self.refuse(f"{len(infos):,} entries (the limit is {self.limits.max_members:,})")
        total = 0
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = _checked_name(info.filename, self)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise self.refuse(f"entry '{info.filename}' is a symbolic link")
            total += info.file_size
            if total > self.limits.max_total:
                raise self.refuse(
                    f"its entries unpack to more than {self.limits.max_total // MiB:,} MiB"
                )
            if not info.is_dir():
                members[name] = info
        return members

    def refuse(self, why: str) -> InputError:
        return InputError(f"{self.path}: refused: {why}; not imported")

    def find(self, name: str) -> str | None:
        """The member called ``name``, ignoring case (``Sources/`` or ``sources/``)."""
        return self.by_lower.get(name.lower())

    def read(self, name: str) -> bytes:
        """A member's bytes, decompressed in chunks so that no size it declares is trusted."""
        info = self.members[name]
        if (
            info.file_size > self.limits.ratio_floor
            and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)
        ):
            raise self.refuse(
                f"entry '{name}' expands {info.file_size / max(info.compress_size, 1):,.0f} "
                f"times (a zip bomb?; the limit is {self.limits.max_ratio:,.0f})"
            )
        chunks, size = [], 0
        with self.zip.open(info) as handle:
            while chunk := handle.read(MiB):
                size += len(chunk)
                self.read_so_far += len(chunk)
                if size > info.file_size or self.read_so_far > self.limits.max_read:
                    raise self.refuse(
                        f"entry '{name}' unpacks to more than it declares or than the "
                        f"{self.limits.max_read // MiB:,} MiB qualkit reads from one archive"
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def _checked_name(raw: str, archive: SafeArchive) -> str:
    """A member name that stays inside the archive's own folder, or a refusal."""
    name = raw.replace("\\", "/")
    if "\x00" in name:
        raise archive.refuse(f"entry name {raw!r} contains a NUL byte")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise archive.refuse(f"entry '{raw}' has an absolute path")
    if ".." in PurePosixPath(name).parts:
        raise archive.refuse(f"entry '{raw}' climbs out of the archive ('..')")
    return name


def parse_xml(data: bytes, label: str, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, a cap on the number of elements.

    A REFI-QDA file never needs a DOCTYPE, so one is refused outright: that closes external
    entities (XXE) and entity expansion ("billion laughs") before the parser sees them.
    """
    from lxml import etree

    if _has_doctype(data):
        raise InputError(
            f"{label}: refused: the XML declares a DOCTYPE (entities or a DTD), which "
            "REFI-QDA files never need; not imported"
        )
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    count = 0
    try:
        for offset in range(0, len(data), MiB):
            parser.feed(data[offset : offset + MiB])
            for _ in parser.read_events():
                count += 1
            if count > limits.max_elements:
                raise InputError(
                    f"{label}: refused: more than {limits.max_elements:,} XML elements; "
                    "not imported"
                )
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{label}: not well-formed XML: {exc}") from None
    return root


def _has_doctype(data: bytes) -> bool:
    """Whether the prolog (everything before the root element) declares a DOCTYPE."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    upper = head.upper()
    return b"<!DOCTYPE" in upper or b"<!ENTITY" in upper
