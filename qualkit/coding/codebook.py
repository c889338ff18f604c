"""The YAML codebook: nested codes with definitions, include/exclude rules, examples, colours and
hotkeys. Loading validates everything and names the file, line and code of the first problem.

Format::

    codebook: LEAD process evaluation        # title (optional)
    version: 1                               # optional
    description: What the codebook is for.   # optional
    codes:
      - name: Collaboration
        description: Definition.
        include: When to use it.
        exclude: When not to, and what to use instead.
        example: "A quote."
        color: "#1f77b4"                     # optional, #rgb or #rrggbb
        hotkey: a                            # optional, one character, not a reserved TUI key
        codes: [ ...children, same keys... ]
        status: retired                      # optional (written by export for retired codes)
        origin: emergent                     # optional (written by export for promoted topics)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from qualkit.coding import yaml_limits
from qualkit.coding.keys import reserved_keys
from qualkit.errors import InputError, located

if TYPE_CHECKING:
    from qualkit.store import Store

CODE_KEYS = (
    "name",
    "description",
    "include",
    "exclude",
    "example",
    "color",
    "hotkey",
    "codes",
    "status",
    "origin",
)
TOP_KEYS = ("codebook", "version", "description", "codes")
TEXT_FIELDS = ("description", "include", "exclude", "example")
# Keys the workbench binds itself (see the README key contract): a code cannot take them. All
# capitals are kept for the workbench's own screens.
# The coding screen's own keys come from the key contract, so a new key can never clash with a
# hotkey that the codebook validated.
RESERVED_KEYS = reserved_keys()
COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


@dataclass(frozen=True)
class CodeSpec:
    """One code as written in the codebook file."""

    name: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    color: str | None = None
    hotkey: str | None = None
    status: str = "active"
    origin: str = "codebook"
    children: tuple[CodeSpec, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Codebook:
    title: str = ""
    version: str = ""
    description: str = ""
    codes: tuple[CodeSpec, ...] = ()
    source: str = ""

    def walk(self) -> list[tuple[CodeSpec, CodeSpec | None]]:
        """Every code with its parent, depth first in file order."""
        out: list[tuple[CodeSpec, CodeSpec | None]] = []

        def visit(specs: tuple[CodeSpec, ...], parent: CodeSpec | None) -> None:
            for spec in specs:
                out.append((spec, parent))
                visit(spec.children, spec)

        visit(self.codes, None)
        return out


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook file."""
    path = Path(path)
    return parse_codebook(yaml_limits.read_limited(path), source=str(path))


def parse_codebook(text: str, *, source: str = "<codebook>") -> Codebook:
    """Validate codebook YAML; within :mod:`~qualkit.coding.yaml_limits` (size, depth, no
    tags or aliases), and only ever composed into nodes: nothing is constructed from it."""
    yaml_limits.screen(text, source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise yaml_limits.syntax_error(exc, source) from None
    if root is None:
        raise InputError(f"{source}: the codebook is empty; add a `codes:` list")
    return _Reader(source).codebook(root)


class _Reader:
    """Walks the YAML node tree (not the constructed data) so every error can cite a line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.names: dict[str, int] = {}
        self.hotkeys: dict[str, tuple[str, int]] = {}

    def fail(self, node: Any, message: str) -> InputError:
        return InputError(located(self.source, message, line=node.start_mark.line + 1))

    def codebook(self, root: Any) -> Codebook:
        if isinstance(root, yaml.SequenceNode):  # a bare list of codes is accepted too
            return Codebook(codes=self.codes(root), source=self.source)
        items = self.mapping(root, TOP_KEYS, "the codebook")
        if "codes" not in items:
            raise self.fail(root, "the codebook has no `codes:` list")
        return Codebook(
            title=self.scalar(items.get("codebook"), "codebook"),
            version=self.scalar(items.get("version"), "version"),
            description=self.scalar(items.get("description"), "description"),
            codes=self.codes(items["codes"]),
            source=self.source,
        )

    def mapping(self, node: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of `key: value` lines")
        items: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                raise self.fail(
                    key_node, f"{what}: unknown key '{key}' (allowed: {', '.join(allowed)})"
                )
            if key in items:
                raise self.fail(key_node, f"{what}: key '{key}' is given twice")
            items[key] = value_node
        return items

    def scalar(self, node: Any, key: str) -> str:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return ""
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"'{key}' must be text, not a list or mapping")
        return str(node.value).strip()

    def codes(self, node: Any) -> tuple[CodeSpec, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "`codes:` must be a list of codes (lines starting with '- ')")
        return tuple(self.code(item) for item in node.value)

    def code(self, node: Any) -> CodeSpec:
        items = self.mapping(node, CODE_KEYS, "a code")
        name = self.scalar(items.get("name"), "name")
        if not name:
            raise self.fail(node, "a code has an empty or missing name")
        where = f"code '{name}'"
        self.check_name(node, name)
        values = {k: self.scalar(items.get(k), k) for k in TEXT_FIELDS}
        return CodeSpec(
            name=name,
            color=self.color(items.get("color"), where),
            hotkey=self.hotkey(items.get("hotkey"), name),
            status=self.choice(items.get("status"), where, "status", ("active", "retired")),
            origin=self.choice(
                items.get("origin"), where, "origin", ("codebook", "emergent", "imported", "manual")
            ),
            children=self.codes(items["codes"]) if "codes" in items else (),
            line=node.start_mark.line + 1,
            **values,
        )

    def check_name(self, node: Any, name: str) -> None:
        first = self.names.get(name.casefold())
        if first is not None:
            raise self.fail(node, f"duplicate code '{name}' (first defined on line {first})")
        self.names[name.casefold()] = node.start_mark.line + 1

    def color(self, node: Any, where: str) -> str | None:
        value = self.scalar(node, "color")
        if value and not COLOR.match(value):
            raise self.fail(node, f"{where}: color '{value}' is not #rgb or #rrggbb (quote it)")
        return value or None

    def hotkey(self, node: Any, name: str) -> str | None:
        value = self.scalar(node, "hotkey")
        if not value:
            return None
        if len(value) != 1 or not value.isprintable():
            raise self.fail(node, f"code '{name}': hotkey '{value}' must be one character")
        if value in RESERVED_KEYS:
            raise self.fail(
                node,
                f"code '{name}': hotkey '{value}' is a reserved key of the coding screen; "
                "choose another letter",
            )
        if value in self.hotkeys:
            other, line = self.hotkeys[value]
            raise self.fail(
                node, f"duplicate hotkey '{value}': code '{name}' and code '{other}' (line {line})"
            )
        self.hotkeys[value] = (name, node.start_mark.line + 1)
        return value

    def choice(self, node: Any, where: str, key: str, allowed: tuple[str, ...]) -> str:
        value = self.scalar(node, key) or allowed[0]
        if value not in allowed:
            raise self.fail(node, f"{where}: {key} '{value}' is not one of {', '.join(allowed)}")
        return value


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML that ``parse_codebook`` reads back to the same codebook."""

    def code(spec: CodeSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"name": spec.name}
        for key in TEXT_FIELDS:
            if getattr(spec, key):
                out[key] = getattr(spec, key)
        for key in ("color", "hotkey"):
            if getattr(spec, key):
                out[key] = getattr(spec, key)
        if spec.status != "active":
            out["status"] = spec.status
        if spec.origin != "codebook":
            out["origin"] = spec.origin
        if spec.children:
            out["codes"] = [code(child) for child in spec.children]
        return out

    data: dict[str, Any] = {}
    for key, value in (
        ("codebook", codebook.title),
        ("version", codebook.version),
        ("description", codebook.description),
    ):
        if value:
            data[key] = value
    data["codes"] = [code(spec) for spec in codebook.codes]
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=96,
        default_flow_style=False,
    )


class _Dumper(yaml.SafeDumper):
    """Writes long definitions as folded blocks and multi-line text as literal blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else (">" if len(value) > 80 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


@dataclass(frozen=True)
class LoadReport:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...]


def apply_codebook(store: Store, codebook: Codebook) -> LoadReport:
    """Make the project's codes match ``codebook``, in one transaction.

    Codes are matched by name (case-insensitive). Codes the project has but the file lacks are
    retired, never deleted: their codings stay, and exporting writes them back with
    ``status: retired``.
    """
    existing = {c.name.casefold(): c for c in store.codes.list(include_retired=True)}
    seen: set[int] = set()
    added, updated = [], []
    ids: dict[str, int] = {}
    with store.atomic():
        # Hotkeys move between codes; clear them first so no transient duplicate trips UNIQUE.
        store.codes.clear_hotkeys()
        for position, (spec, parent) in _positions(codebook):
            fields = {
                "name": spec.name,
                "parent_id": ids[parent.name] if parent else None,
                "position": position,
                "color": spec.color,
                "hotkey": spec.hotkey,
                "status": spec.status,
                **{k: getattr(spec, k) for k in TEXT_FIELDS},
            }
            current = existing.get(spec.name.casefold())
            if current is None:
                ids[spec.name] = store.codes.insert({**fields, "origin": spec.origin})
                added.append(spec.name)
            else:
                store.codes.update(current.id, fields)
                ids[spec.name] = current.id
                seen.add(current.id)
                updated.append(spec.name)
        retired = [c for c in existing.values() if c.id not in seen and c.status == "active"]
        for code in retired:
            store.codes.update(code.id, {"status": "retired"})
        _save_meta(store, codebook)
        report = LoadReport(tuple(added), tuple(updated), tuple(c.name for c in retired))
        store.log(
            "codebook.load",
            {"source": codebook.source, "added": report.added, "retired": report.retired},
        )
    return report


def _positions(codebook: Codebook) -> list[tuple[int, tuple[CodeSpec, CodeSpec | None]]]:
    """Each code with its position among its siblings."""
    counters: dict[str | None, int] = {}
    out = []
    for spec, parent in codebook.walk():
        key = parent.name if parent else None
        counters[key] = counters.get(key, -1) + 1
        out.append((counters[key], (spec, parent)))
    return out


def _save_meta(store: Store, codebook: Codebook) -> None:
    for key in ("title", "version", "description"):
        store.set_meta(f"codebook.{key}", getattr(codebook, key))


def project_codebook(store: Store) -> Codebook:
    """The project's codes (retired ones included) as a codebook, for export."""
    codes = store.codes.list(include_retired=True)
    children: dict[int | None, list] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def spec(code) -> CodeSpec:
        return CodeSpec(
            name=code.name,
            color=code.color,
            hotkey=code.hotkey,
            status=code.status,
            origin=code.origin,
            children=tuple(spec(c) for c in children.get(code.id, [])),
            **{k: getattr(code, k) for k in TEXT_FIELDS},
        )

    return Codebook(
        title=store.get_meta("codebook.title", "") or "",
        version=store.get_meta("codebook.version", "") or "",
        description=store.get_meta("codebook.description", "") or "",
        codes=tuple(spec(c) for c in children.get(None, [])),
    )
