"""qualkit: process evaluation of social programs, offline and keyboard first.

``from qualkit import Project`` is the front door for notebooks and scripts (see
:mod:`qualkit.project`); each feature package's ``__init__`` is its own API.
"""

from qualkit.project import Project

__version__ = "0.1.0"
__all__ = ["Project", "__version__"]
