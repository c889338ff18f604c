"""qualkit: process evaluation of social programs, offline and keyboard first.

``from qualkit import Project`` is the front door for notebooks and scripts (see
:mod:`qualkit.project`); each feature package's ``__init__`` is its own API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.project import Project

__version__ = "0.1.0"
__all__ = ["Project", "__version__"]


def __getattr__(name: str):
    # Loaded on first use: importing any subpackage imports this file first, and
    # `qualkit.outcomes` or `qualkit.agreement.stats` must not bring the project store along.
    if name == "Project":
        from qualkit.project import Project

        return Project
    raise AttributeError(f"module 'qualkit' has no attribute {name!r}")
