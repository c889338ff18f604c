"""Hostile archives and XML are refused in one line, and a refused import changes nothing."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from qualkit.errors import InputError
from qualkit.exchange import Limits, import_refi
from qualkit.exchange.safety import parse_xml
from qualkit.store import Store

from .conftest import assert_user_error, cli, dump

NS = "urn:QDA-XML:project:1.0"
GOOD = (
    f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p">'
    '<CodeBook><Codes><Code guid="11111111-1111-4111-8111-111111111111" name="Code" '
    'isCodable="true"/></Codes></CodeBook><Sources><TextSource '
    'guid="22222222-2222-4222-8222-222222222222" name="t.txt">'
    "<PlainTextContent>Some text to code.</PlainTextContent></TextSource></Sources></Project>"
)


def _archive(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


@pytest.fixture
def project(sample_project) -> Path:
    return sample_project


def _refused(project: Path, archive: Path, *needles: str) -> None:
    before = dump(project)
    result = cli("import", project, archive)
    assert_user_error(result, "refused", *needles)
    assert dump(project) == before


def test_path_traversal_is_refused(project, tmp_path):
    hostile = _archive(tmp_path / "a.qdpx", {"project.qde": GOOD.encode(), "../evil.txt": b"x"})
    _refused(project, hostile, "climbs out", "../evil.txt")


@pytest.mark.parametrize("name", ["/etc/cron.d/evil", "C:/Windows/evil.txt", "\\\\server\\x"])
def test_absolute_paths_are_refused(project, tmp_path, name):
    hostile = _archive(tmp_path / "a.qdpx", {"project.qde": GOOD.encode(), name: b"x"})
    _refused(project, hostile, "absolute path")


def test_symbolic_links_are_refused(project, tmp_path):
    hostile = _archive(tmp_path / "a.qdpx", {"project.qde": GOOD.encode()},
                       symlink="sources/link.txt")
    _refused(project, hostile, "symbolic link")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(project, tmp_path):
    bomb = b"\0" * (40 * 1024 * 1024)  # 40 MB of zeros deflate to about 40 KB
    hostile = _archive(tmp_path / "bomb.qdpx", {"project.qde": bomb})
    _refused(project, hostile, "expands", "zip bomb")


def test_total_size_and_member_count_are_capped(project, tmp_path):
    archive = _archive(tmp_path / "big.qdpx",
                       {"project.qde": GOOD.encode(), "sources/a.txt": b"a" * 5000})
    with Store.open(project) as store:
        before = store.dump()
        with pytest.raises(InputError, match="unpack to more than"):
            import_refi(store, archive, limits=Limits(max_total=4000))
        with pytest.raises(InputError, match="entries"):
            import_refi(store, archive, limits=Limits(max_members=1))
        assert store.dump() == before


def test_reading_more_than_the_limit_is_refused(project, tmp_path):
    archive = _archive(tmp_path / "big.qdpx", {"project.qde": GOOD.encode()})
    with Store.open(project) as store, pytest.raises(InputError, match="qualkit reads"):
        import_refi(store, archive, limits=Limits(max_read=100))


def test_too_many_elements_are_refused(project, tmp_path):
    many = GOOD.replace("</Project>", "<Notes>" + "<Note guid='33333333-3333-4333-8333-"
                        "333333333333'/>" * 2000 + "</Notes></Project>")
    archive = _archive(tmp_path / "many.qdpx", {"project.qde": many.encode()})
    with Store.open(project) as store, pytest.raises(InputError, match="more than 1,000 XML"):
        import_refi(store, archive, limits=Limits(max_elements=1000))


def test_external_entities_are_never_resolved(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>'
           + GOOD.split("?>", 1)[1].replace("Some text to code.", "&x;"))
    hostile = _archive(tmp_path / "xxe.qdpx", {"project.qde": xxe.encode()})
    _refused(project, hostile, "DOCTYPE")
    with Store.open(project) as store:
        assert not any("TOP SECRET" in store.documents.text(d.id)
                       for d in store.documents.list())


def test_billion_laughs_is_refused(project, tmp_path):
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "&a{i - 1};&a{i - 1};">'
        for i in range(1, 30)
    )
    laughs = f'<?xml version="1.0"?><!DOCTYPE Project [{entities}]><Project name="&a29;"/>'
    hostile = _archive(tmp_path / "laughs.qdpx", {"project.qde": laughs.encode()})
    _refused(project, hostile, "DOCTYPE")


def test_the_parser_itself_resolves_no_entity_even_without_the_doctype_check(tmp_path):
    """Defence in depth: lxml is set up with entities, DTDs and network off."""
    from qualkit.exchange import safety

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>').encode()
    original = safety._has_doctype
    safety._has_doctype = lambda data: False
    try:
        root = parse_xml(xxe, "x.qde")
    finally:
        safety._has_doctype = original
    assert "TOP SECRET" not in (root.text or "")


def test_a_text_path_that_climbs_out_is_not_read(project, tmp_path):
    (tmp_path / "outside.txt").write_text("outside the archive")
    xml = GOOD.replace('name="t.txt">', 'name="t.txt" plainTextPath="internal://../outside.txt">'
                       ).replace("<PlainTextContent>Some text to code.</PlainTextContent>", "")
    archive = _archive(tmp_path / "a.qdpx",
                       {"project.qde": xml.encode()})
    result = cli("import", project, archive)
    assert result.exit_code == 0
    assert "missing from the archive" in result.stderr
    with Store.open(project) as store:
        assert not any("outside the archive" in store.documents.text(d.id)
                       for d in store.documents.list())


@pytest.mark.parametrize(
    ("members", "needle"),
    [
        ({"readme.txt": b"x"}, "no project.qde"),
        ({"a.qde": GOOD.encode(), "b.qde": GOOD.encode()}, "2 .qde files"),
        ({"project.qde": b"<Project"}, "not well-formed XML"),
        ({"project.qde": b"<Other/>"}, "not a REFI-QDA project"),
    ],
)
def test_malformed_archives_fail_in_one_line(project, tmp_path, members, needle):
    before = dump(project)
    archive = _archive(tmp_path / "bad.qdpx", members)
    assert_user_error(cli("import", project, archive), needle)
    assert dump(project) == before


def test_a_refused_import_into_a_new_project_leaves_no_file(tmp_path):
    hostile = _archive(tmp_path / "a.qdpx", {"project.qde": GOOD.encode(), "../x": b"x"})
    target = tmp_path / "new.qualkit"
    assert_user_error(cli("import", target, hostile), "refused")
    assert not target.exists()
    assert not list(tmp_path.glob("new.qualkit*"))


def test_a_failure_while_writing_rolls_everything_back(project, tmp_path, monkeypatch):
    """The import is one transaction: an error after some rows were written undoes them all."""
    archive = _archive(tmp_path / "a.qdpx", {"project.qde": GOOD.encode()})
    from qualkit.exchange import refi_store

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refi_store, "_write_memos", broken)
    with Store.open(project) as store:
        before = store.dump()
        with pytest.raises(RuntimeError):
            import_refi(store, archive)
        assert store.dump() == before
