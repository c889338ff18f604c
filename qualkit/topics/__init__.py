"""Emergent themes: a BERTopic model of what participants say, held against the codebook.

``fit_topics`` selects the units (``units``), embeds what is not cached yet (``embed``), fits
BERTopic (``fit``), maps each topic to its closest code and flags candidate new themes
(``mapping``), and stores the run with its parameters, seed, model and library versions
(``pipeline``). ``topic_report`` reads a stored run back for the CLI, the TUI and exports;
promotion, mapping, dismissal and machine suggestions live in ``actions``.

Heavy libraries (numpy, torch, sentence-transformers, umap, hdbscan, sklearn, bertopic) are
imported inside the functions that use them.
"""

from __future__ import annotations

from qualkit.topics.actions import (
    MACHINE_CODER,
    Promoted,
    accept_suggestion,
    dismiss_topic,
    map_topic,
    pending_suggestions,
    promote_topic,
    reject_suggestion,
    write_suggestions,
)
from qualkit.topics.pipeline import FIT_STEP_NAMES, FIT_STEPS, TopicOptions, fit_topics
from qualkit.topics.report import TopicReport, topic_markdown, topic_report

__all__ = [
    "FIT_STEPS",
    "FIT_STEP_NAMES",
    "MACHINE_CODER",
    "Promoted",
    "TopicOptions",
    "TopicReport",
    "accept_suggestion",
    "dismiss_topic",
    "fit_topics",
    "map_topic",
    "pending_suggestions",
    "promote_topic",
    "reject_suggestion",
    "topic_markdown",
    "topic_report",
    "write_suggestions",
]
