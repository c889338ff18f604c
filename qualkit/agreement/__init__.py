"""Inter-rater agreement on a project and reconciliation into a consensus.

``stats`` holds the statistics over a ratings matrix (pure numpy; it never reads a project).
The project layer chooses what to compare (``select``), turns codings into units (``units``),
and reports per code, pooled and pairwise (``project``); ``disagreements`` lists where coders
differ, ``reconcile`` walks two coders' disagreements into ``consensus`` codings and
``training`` compares a trainee with a gold standard.
"""

from __future__ import annotations

from qualkit.agreement.disagreements import Disagreement, Disagreements, find_disagreements
from qualkit.agreement.project import CodeAgreement, ProjectAgreement, project_agreement
from qualkit.agreement.ratings import read_ratings_csv
from qualkit.agreement.reconcile import Plan, Reconciler, make_plan
from qualkit.agreement.select import choose_coders
from qualkit.agreement.training import TrainingReport, training_report

__all__ = [
    "CodeAgreement",
    "Disagreement",
    "Disagreements",
    "Plan",
    "ProjectAgreement",
    "Reconciler",
    "TrainingReport",
    "choose_coders",
    "find_disagreements",
    "make_plan",
    "project_agreement",
    "read_ratings_csv",
    "training_report",
]
