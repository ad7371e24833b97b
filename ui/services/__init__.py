"""What the surfaces (command line, REST API, web app, WeChat) do with the knowledge base, in one place.

One module per resource: ``documents`` (list, upload, remove, re-index, share),
``files`` (staging uploads, clean names), ``questions`` (asking), ``metrics``
(the metrics table and its downloads), ``plans`` (drafting next year's plan),
``feedback`` (ratings of answers), ``curation_store`` (reviewed answers, the
question log and ratings in SQLite), ``reviewed`` (reviewed answers: served,
corrected, edited, withdrawn), ``usage`` (the review queue and the statistics
of the log). A surface builds ``Services`` once and
calls them; it never calls another surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index import KnowledgeBase

from ..jobs import JobRegistry
from ..settings import Settings
from .curation_store import CurationStore
from .documents import Documents
from .feedback import FeedbackLog
from .files import UPLOADS
from .metrics import Metrics
from .plans import Plans
from .questions import Questions
from .reviewed import ReviewedAnswers


@dataclass
class Services:
    settings: Settings
    kb: KnowledgeBase
    jobs: JobRegistry
    documents: Documents
    questions: Questions
    metrics: Metrics
    plans: Plans
    feedback: FeedbackLog
    curation: CurationStore
    reviewed: ReviewedAnswers


def uploads_folder(kb: KnowledgeBase) -> Path:
    """Where uploaded files are saved: ``<data dir>/uploads``."""
    return (Path(kb.data_dir) / UPLOADS).resolve()


def build_services(settings: Settings, kb: KnowledgeBase, assistant, jobs: JobRegistry) -> Services:
    """The services over one knowledge base, one assistant and one ingest queue."""
    curation = CurationStore(kb.data_dir)
    questions = Questions(assistant, curation)
    assert questions.reviewed is not None  # a store was given
    return Services(
        settings=settings,
        kb=kb,
        jobs=jobs,
        documents=Documents(kb, jobs, uploads_folder(kb), settings.max_bytes),
        questions=questions,
        metrics=Metrics(kb),
        plans=Plans(settings, kb),
        feedback=FeedbackLog(curation),
        curation=curation,
        reviewed=questions.reviewed,
    )


__all__ = ["Services", "build_services", "uploads_folder"]
