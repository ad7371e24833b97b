"""What the surfaces (command line, REST API, web app, WeChat) do with the knowledge base, in one place.

One module per resource: ``documents`` (list, upload, remove, re-index, share),
``files`` (staging uploads, clean names), ``questions`` (asking), ``libraries`` (the 单位 the
documents are by), ``metrics``
(the metrics table and its downloads), ``plans`` (drafting next year's plan),
``feedback`` (ratings of answers), ``curation_store`` (reviewed answers, the
question log and ratings in SQLite), ``reviewed`` (reviewed answers: served,
corrected, edited, withdrawn), ``usage`` (the review queue and the statistics
of the log), ``audit`` (the operations log of admin actions),
``citation_view`` (a cited passage in its section and on its page, with ``page_images`` and
``passage_boxes``). A surface builds ``Services`` once and
calls them; it never calls another surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index import KnowledgeBase

from ..jobs import JobRegistry
from ..settings import Settings
from .audit import AuditLog
from .citation_view import CitationViews
from .curation_store import CurationStore
from .documents import Documents
from .feedback import FeedbackLog
from .files import UPLOADS
from .libraries import Libraries
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
    libraries: Libraries
    metrics: Metrics
    plans: Plans
    feedback: FeedbackLog
    citations: CitationViews
    audit: AuditLog
    curation: CurationStore
    reviewed: ReviewedAnswers


def uploads_folder(kb: KnowledgeBase) -> Path:
    """Where uploaded files are saved: ``<data dir>/uploads``."""
    return (Path(kb.data_dir) / UPLOADS).resolve()


def build_services(settings: Settings, kb: KnowledgeBase, assistant, jobs: JobRegistry) -> Services:
    """The services over one knowledge base, one assistant and one ingest queue."""
    audit = AuditLog(kb.data_dir)
    curation = CurationStore(kb.data_dir)
    questions = Questions(assistant, curation)
    assert questions.reviewed is not None  # a store was given
    return Services(
        settings=settings,
        kb=kb,
        jobs=jobs,
        documents=Documents(kb, jobs, uploads_folder(kb), settings.max_bytes, audit),
        questions=questions,
        libraries=questions.libraries,
        metrics=Metrics(kb, questions.libraries),
        plans=Plans(settings, kb),
        feedback=FeedbackLog(curation, audit),
        citations=CitationViews(kb),
        audit=audit,
        curation=curation,
        reviewed=questions.reviewed,
    )


__all__ = ["Services", "build_services", "uploads_folder"]
