"""The YAML codebook: the shipped LEAD codebook, validation errors with lines, load and export."""

from __future__ import annotations

import pytest

from qualkit.coding.codebook import (
    apply_codebook,
    dump_codebook,
    load_codebook,
    parse_codebook,
    project_codebook,
)
from qualkit.errors import InputError
from qualkit.store import Store

from .conftest import CODEBOOK, assert_user_error, cli, dump

REQUIRED_THEMES = {
    "Collaboration": {"Inter-agency partnership", "Information sharing"},
    "Warm handoff": set(),
    "Officer buy-in": {"Support", "Resistance", "Discretion", "Training"},
    "Bias concerns": {"Racial disparities", "Gender", "Who benefits"},
    "Harm-reduction principles": set(),
    "Implementation barriers": {
        "Communication",
        "Eligibility confusion",
        "Staffing",
        "Funding and termination",
    },
}


def test_shipped_codebook_has_the_required_themes_with_full_definitions():
    book = load_codebook(CODEBOOK)
    top = {spec.name: {c.name for c in spec.children} for spec in book.codes}
    for theme, children in REQUIRED_THEMES.items():
        assert theme in top
        assert children <= top[theme]
    for spec, _ in book.walk():
        for key in ("description", "include", "exclude", "example"):
            assert len(getattr(spec, key)) > 20, (spec.name, key)


def test_export_reads_back_to_the_same_codebook(tmp_path, empty_project):
    with Store.open(empty_project) as store:
        exported = dump_codebook(project_codebook(store))
    again = parse_codebook(exported)
    original = load_codebook(CODEBOOK)
    assert [(s.name, p and p.name) for s, p in again.walk()] == [
        (s.name, p and p.name) for s, p in original.walk()
    ]
    for (a, _), (b, _) in zip(again.walk(), original.walk(), strict=True):
        assert (a.description, a.include, a.exclude, a.example, a.color, a.hotkey) == (
            b.description,
            b.include,
            b.exclude,
            b.example,
            b.color,
            b.hotkey,
        )


BAD = {
    "syntax": ("codes:\n  - name: A\n    description: [unclosed\n", "line 4", "on line 3"),
    "duplicate": (
        "codes:\n  - name: Alpha\n  - name: Beta\n    codes:\n      - name: alpha\n",
        "line 5",
        "duplicate code 'alpha' (first defined on line 2)",
    ),
    "hotkey": (
        "codes:\n  - name: A\n    hotkey: a\n  - name: B\n    hotkey: a\n",
        "line 5",
        "duplicate hotkey 'a'",
    ),
    "reserved": ("codes:\n  - name: A\n    hotkey: j\n", "line 3", "reserved key"),
    "unknown key": ("codes:\n  - name: A\n    colour: red\n", "line 3", "unknown key 'colour'"),
    "empty name": ("codes:\n  - name: A\n  - name: ''\n", "line 3", "empty or missing name"),
    "no codes": ("codebook: x\n", "line 1", "no `codes:` list"),
    "bad colour": ("codes:\n  - name: A\n    color: blue\n", "line 3", "not #rgb"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_codebooks_name_file_and_line(tmp_path, case):
    text, line, message = BAD[case]
    path = tmp_path / "book.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_codebook(path)
    assert str(info.value).startswith(f"{path} {line}: ")
    assert message in str(info.value)


@pytest.mark.parametrize("case", ["syntax", "duplicate", "hotkey"])
def test_cli_refuses_bad_codebook_and_leaves_project_unchanged(tmp_path, empty_project, case):
    path = tmp_path / "book.yaml"
    path.write_text(BAD[case][0])
    before = dump(empty_project)
    assert_user_error(cli("codebook", empty_project, "--load", path), str(path), BAD[case][1])
    assert dump(empty_project) == before
    assert_user_error(cli("init", tmp_path / "new.qualkit", "--codebook", path), str(path))
    assert not (tmp_path / "new.qualkit").exists()


def test_loading_a_changed_codebook_updates_adds_and_retires(tmp_path, empty_project):
    path = tmp_path / "book.yaml"
    path.write_text(
        "codes:\n  - name: Warm handoff\n    description: New definition.\n    hotkey: w\n"
        "  - name: Housing scarcity\n    hotkey: k2\n".replace("k2", "x")
    )
    with Store.open(empty_project) as store:
        report = apply_codebook(store, load_codebook(path))
        assert report.added == ("Housing scarcity",)
        assert "Collaboration" in report.retired
        assert store.codes.by_name("Warm handoff").description == "New definition."
        assert [c.name for c in store.codes.list()] == ["Warm handoff", "Housing scarcity"]
        assert store.codes.by_name("Collaboration").status == "retired"


def test_codebook_export_cli(tmp_path, empty_project):
    out = tmp_path / "out.yaml"
    result = cli("codebook", empty_project, "--export", out)
    assert result.exit_code == 0
    assert load_codebook(out).codes[0].name == "Collaboration"
