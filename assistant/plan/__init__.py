"""Next year's work plan, drafted from last year's documents, every line traceable."""

from .check import PlanChecks, measure
from .markdown import to_markdown
from .model import PlanDraft, PlanItem, PlanSection
from .sources import PlanError, organisations
from .writer import draft_plan

__all__ = [
    "PlanChecks",
    "PlanDraft",
    "PlanError",
    "PlanItem",
    "PlanSection",
    "draft_plan",
    "measure",
    "organisations",
    "to_markdown",
]
