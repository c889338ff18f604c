"""qualkit: process evaluation of social programs, offline and keyboard first."""

__version__ = "0.1.0"
