"""``links.yaml``: which themes speak to which outcome of a saved match run, and how.

::

    run: sample-nn                     # optional: the saved run these links belong to
    links:
      - outcome: misd_arrests          # an outcome of the run
        codes: [Collaboration, Warm handoff]   # codes of the codebook (sub-codes included)
        fit: confirmation              # confirmation | expansion | discordance | silence
        meta_inference: >
          What the two strands say together.
    groups:                            # optional: the group-level view
      documents: site                  # a document attribute
      outcomes: district               # a column of the run's data
      map:                             # document value -> outcome value(s); null = no group
        Eastside precinct: Eastside
        Eastside and Harbor precincts: [Eastside, Harbor]
        Merrow County courthouse: null

Fit follows Fetters, Curry & Creswell (2013): *confirmation* (the strands agree), *expansion*
(they tell different parts of one story), *discordance* (they disagree), and *silence* (one
strand says nothing about it). Every error names the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qualkit.coding import yaml_limits
from qualkit.errors import InputError, located

FITS = ("confirmation", "expansion", "discordance", "silence")
TOP_KEYS = ("run", "links", "groups")
LINK_KEYS = ("outcome", "codes", "fit", "meta_inference")
GROUP_KEYS = ("documents", "outcomes", "map")


@dataclass(frozen=True)
class LinkSpec:
    """One entry of ``links:`` as written (codes by name), with its line."""

    outcome: str
    codes: tuple[str, ...]
    fit: str | None
    meta_inference: str
    line: int
    code_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    """The ``groups:`` section: which variables meet, and how document values map."""

    documents: str
    outcomes: str
    mapping: dict[str, tuple[str, ...]] | None
    line: int
    map_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LinksFile:
    source: str
    run: str | None
    run_line: int | None
    links: tuple[LinkSpec, ...]
    groups: GroupSpec | None


def load_links(path: str | Path) -> LinksFile:
    """Read and check the shape of a links file (names are checked against the project later)."""
    path = Path(path)
    return parse_links(yaml_limits.read_limited(path, "links"), source=str(path))


def parse_links(text: str, *, source: str = "<links>") -> LinksFile:
    """Parse links YAML; every problem is one :class:`InputError` naming line and field."""
    yaml_limits.screen(text, source, "links")  # size, depth; no tags, anchors or aliases
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise yaml_limits.syntax_error(exc, source) from None
    if root is None:
        raise InputError(f"{source}: the links file is empty; add a `links:` list")
    return _Reader(source).read(root)


def _line(node: Any) -> int:
    return node.start_mark.line + 1


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, message: str) -> InputError:
        return InputError(located(self.source, message, line=_line(node)))

    def mapping(self, node: Any, keys: tuple[str, ...], what: str) -> dict[str, tuple[Any, Any]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of `key: value` lines")
        out: dict[str, tuple[Any, Any]] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name not in keys:
                raise self.fail(key, f"unknown field '{name}' in {what}; fields: "
                                + ", ".join(keys))
            if name in out:
                raise self.fail(key, f"field '{name}' appears twice in {what}")
            out[name] = (key, value)
        return out

    def text(self, node: Any, field_name: str, *, optional: bool = False) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            if optional:
                return None
            raise self.fail(node, f"`{field_name}` is empty; give a value")
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"`{field_name}` must be a single value, not a list or mapping")
        return str(node.value).strip()

    def read(self, root: Any) -> LinksFile:
        items = self.mapping(root, TOP_KEYS, "the links file")
        if "links" not in items:
            raise self.fail(root, "the links file has no `links:` list")
        run = run_line = None
        if "run" in items:
            run, run_line = self.text(items["run"][1], "run"), _line(items["run"][1])
        links_node = items["links"][1]
        if not isinstance(links_node, yaml.SequenceNode) or not links_node.value:
            raise self.fail(links_node, "`links:` must be a list of entries (lines starting "
                            "with '- outcome: ...')")
        links = [self.link(n) for n in links_node.value]
        seen: dict[str, int] = {}
        for link in links:
            if link.outcome in seen:
                raise InputError(located(self.source, f"outcome '{link.outcome}' is linked twice "
                                         f"(first on line {seen[link.outcome]}); put all its "
                                         "codes in one entry", line=link.line))
            seen[link.outcome] = link.line
        groups = self.groups(items["groups"][1]) if "groups" in items else None
        return LinksFile(self.source, run, run_line, tuple(links), groups)

    def link(self, node: Any) -> LinkSpec:
        items = self.mapping(node, LINK_KEYS, "a link")
        for required in ("outcome", "codes"):
            if required not in items:
                raise self.fail(node, f"this link has no `{required}:`")
        codes_node = items["codes"][1]
        nodes = codes_node.value if isinstance(codes_node, yaml.SequenceNode) else [codes_node]
        codes = [self.text(n, "codes") for n in nodes]
        if not codes:
            raise self.fail(codes_node, "`codes:` is empty; name at least one code")
        fit = None
        if "fit" in items:
            fit = self.text(items["fit"][1], "fit", optional=True)
            if fit is not None and fit.lower() not in FITS:
                raise self.fail(items["fit"][1], f"fit '{fit}' is not one of "
                                + ", ".join(FITS))
            fit = fit.lower() if fit else None
        meta = ""
        if "meta_inference" in items:
            meta = self.text(items["meta_inference"][1], "meta_inference", optional=True) or ""
        return LinkSpec(self.text(items["outcome"][1], "outcome") or "", tuple(codes), fit,
                        " ".join(meta.split()), _line(node), tuple(_line(n) for n in nodes))

    def groups(self, node: Any) -> GroupSpec:
        items = self.mapping(node, GROUP_KEYS, "`groups:`")
        for required in ("documents", "outcomes"):
            if required not in items:
                raise self.fail(node, f"`groups:` has no `{required}:` (the variable on the "
                                f"{'documents' if required == 'documents' else 'outcome data'} "
                                "side)")
        mapping, lines = None, {}
        if "map" in items:
            mapping = {}
            map_node = items["map"][1]
            if not isinstance(map_node, yaml.MappingNode):
                raise self.fail(map_node, "`map:` must be `document value: outcome value` lines")
            for key, value in map_node.value:
                name = self.text(key, "map")
                if isinstance(value, yaml.SequenceNode):
                    targets = tuple(self.text(v, "map") for v in value.value)
                else:
                    target = self.text(value, "map", optional=True)
                    targets = () if target is None else (target,)
                mapping[name] = targets
                lines[name] = _line(key)
        return GroupSpec(self.text(items["documents"][1], "documents") or "",
                         self.text(items["outcomes"][1], "outcomes") or "", mapping, _line(node),
                         lines)


def parse_mapping(text: str) -> dict[str, tuple[str, ...]]:
    """A ``--map`` option: ``doc value=outcome value;...`` (``a=x|y`` for several, ``a=`` none)."""
    out: dict[str, tuple[str, ...]] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"map entry '{part.strip()}' has no '='; write "
                             "'document value=outcome value;...'")
        left, right = part.split("=", 1)
        out[left.strip()] = tuple(v.strip() for v in right.split("|") if v.strip())
    return out
