"""Limits on YAML codebooks and links files, checked on the event stream before any node tree
is built.

A codebook comes from anyone on a team (or a stranger's e-mail), so PyYAML never gets to
construct anything from it: qualkit walks composed nodes with the safe loader, and this screen
refuses beforehand what a codebook never needs and what would hurt: deep nesting (PyYAML's
composer recurses, so 10,000 ``[`` end in a RecursionError), anchors and aliases (an alias
"billion laughs" expands exponentially when the tree is walked), explicit tags such as
``!!python/object/apply`` and oversized files.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from qualkit.errors import InputError, located

MAX_BYTES = 8 * 1024 * 1024  # a 2,000-code codebook with long definitions is under 2 MB
MAX_DEPTH = 64  # YAML nesting; each level of codes takes 2 (a list of mappings): 32 code levels
MAX_EVENTS = 2_000_000
# The only explicit tags a hand-written codebook may carry (plain YAML values).
CORE_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map")
}


def read_limited(path: Path, what: str = "codebook") -> str:
    """The file's text, refused over :data:`MAX_BYTES` (read no further than that)."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the {what}'s YAML file")
    if not path.is_file():
        raise InputError(f"{path}: no such {what} file (or not a regular file)")
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(
            f"{path}: refused: larger than {MAX_BYTES // (1024 * 1024)} MB, far more than a "
            f"{what} needs; check that this is the {what} file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def screen(text: str, source: str, what: str = "codebook") -> None:
    """Refuse YAML a codebook never needs, naming the line; syntax errors are reported too."""
    if len(text) > MAX_BYTES:
        raise InputError(f"{source}: refused: larger than {MAX_BYTES // (1024 * 1024)} MB")
    depth = events = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            events += 1
            line = event.start_mark.line + 1
            if events > MAX_EVENTS:
                raise InputError(located(source, f"refused: more than {MAX_EVENTS:,} YAML "
                                         "values", line=line))
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(located(
                    source, "refused: YAML anchors and aliases (& and *) are not allowed in a "
                    f"{what}; write each entry out", line=line))
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!" and tag not in CORE_TAGS:
                raise InputError(located(
                    source, f"refused: the tag {tag!r} is not allowed in a {what} (qualkit "
                    "never builds objects from YAML); remove it", line=line))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(located(
                        source, f"refused: nested more than {MAX_DEPTH} levels deep; a "
                        f"{what} nests a few levels at most", line=line))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise syntax_error(exc, source) from None


def syntax_error(exc: yaml.YAMLError, source: str) -> InputError:
    """A YAML syntax error as one line: the problem, its line, and where its context began."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line + 1 if mark else None
    context = getattr(exc, "context_mark", None)
    if context is not None and context.line + 1 != line:
        problem += f" ({getattr(exc, 'context', 'it')} on line {context.line + 1})"
    return InputError(located(source, f"YAML syntax error: {problem}", line=line))
