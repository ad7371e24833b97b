"""Drafting next year's plan for every surface: the draft, its Markdown, its checks, its Word file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.plan import PlanChecks, PlanDraft, PlanError, draft_plan, measure, to_markdown
from index import KnowledgeBase

from ..settings import Settings
from .files import safe_file_name
from .metrics import Download


class PlanMode(StrEnum):
    """How a plan is written: ``auto`` rewrites with the LLM when one is configured, else composes from the documents."""

    AUTO = "auto"
    EXTRACTIVE = "extractive"
    LLM = "llm"


MODES = tuple(PlanMode)
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class PlanResult:
    draft: PlanDraft
    markdown: str
    checks: PlanChecks

    def as_dict(self) -> dict:
        d = self.draft
        return {
            "title": d.title,
            "org": d.org,
            "year": d.year,
            "mode": d.mode,
            "markdown": self.markdown,
            "sources": d.sources,
            "notes": d.notes,
            "checks": self.checks.as_dict(),
            "problems": [{"label": p.label} for p in d.problems],
            "carry_over": [{"item": j.item, "status": j.status, "reason": j.reason} for j in d.carry],
            "deadlines": [{"quote": x.quote, "year": x.year, "month": x.month} for x in d.deadlines],
            "sections": [_section(s) for s in d.sections],
            "references": [c.as_dict() for c in d.references],
        }


def _section(s) -> dict:
    return {
        "heading": s.heading,
        "items": [
            {
                "text": i.text,
                "citations": [int(n) for n in re.findall(r"\d+", i.marks)],
                "tags": i.tags,
                "note": i.note,
                "unverified_numbers": i.unverified,
                "figures": [f.as_dict() for f in i.figures],
            }
            for i in s.items
        ],
        "subsections": [_section(x) for x in s.subsections],
    }


def check_request(year: int | None, mode: str) -> None:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise PlanError(
            f"年份应在{MIN_YEAR}—{MAX_YEAR}之间：{year} / the year must be between {MIN_YEAR} and {MAX_YEAR}: {year}"
        )
    if mode not in MODES:
        raise PlanError(f"起草方式应为 {' / '.join(MODES)}：{mode} / mode must be one of {', '.join(MODES)}: {mode}")


def make_plan(
    settings: Settings, kb: KnowledgeBase, year: int | None = None, org: str | None = None, mode: str = PlanMode.AUTO
) -> PlanResult:
    """Draft the plan; ``auto`` uses the configured LLM when there is one, else composes it."""
    from assistant.llm import make_llm

    check_request(year, mode)
    llm = None
    if mode in (PlanMode.AUTO, PlanMode.LLM):
        llm = make_llm(settings.llm_api_base, settings.llm_model, settings.llm_api_key, timeout=settings.llm_timeout)
        if llm is None and mode == PlanMode.LLM:
            raise PlanError(
                "未配置大模型（LANTAI_LLM_API_BASE），无法使用 llm 方式起草 / "
                "no LLM is configured (LANTAI_LLM_API_BASE): use --mode extractive"
            )
    draft = draft_plan(kb, year, org, llm=llm)
    return PlanResult(draft, to_markdown(draft), measure(draft))


# Characters an XML document (a .docx) cannot hold: C0 controls but tab and newlines, lone surrogates, U+FFFE/F.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters a Word file cannot store (pasted control characters and the like)."""
    return _NOT_XML.sub("", text)


def plan_docx(markdown: str) -> bytes:
    from ..plan_export import markdown_to_docx

    return markdown_to_docx(xml_safe(markdown))


def plan_clean_docx(markdown: str) -> bytes:
    """The clean copy (清稿) as Word: no working marks, sources as a numbered 资料来源 list at the end."""
    from ..plan_export.clean import markdown_to_clean_docx

    return markdown_to_clean_docx(xml_safe(markdown))


def file_name(draft: PlanDraft, suffix: str) -> str:
    return f"{draft.org}{draft.year}年工作计划（草稿）.{suffix}"


def clean_file_name(name: str) -> str:
    """The clean copy's file name beside the draft's: "…工作计划（草稿）.docx" → "…工作计划（清稿）.docx"."""
    stem, dot, suffix = name.rpartition(".")
    stem = stem if dot else name
    stem = stem.replace("（草稿）", "") + "（清稿）"
    return f"{stem}.{suffix}" if dot else stem


def checks_line(checks: PlanChecks) -> str:
    return (
        f"问题回应 {checks.problems_answered}/{checks.problems} · 数字核实 {checks.numbers_verified}/{checks.numbers}"
        f" · 条目引用 {checks.items_cited}/{checks.items} · 延续 {checks.carried} 项 · 推算目标 {checks.projected} 项"
    )


DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def markdown_download(result: PlanResult) -> Download:
    return Download(
        result.markdown.encode("utf-8"), "text/markdown; charset=utf-8", file_name(result.draft, "md"), "lantai-plan.md"
    )


def docx_download(result: PlanResult) -> Download:
    return Download(plan_docx(result.markdown), DOCX_MEDIA, file_name(result.draft, "docx"), "lantai-plan.docx")


def clean_docx_download(result: PlanResult) -> Download:
    return Download(
        plan_clean_docx(result.markdown),
        DOCX_MEDIA,
        clean_file_name(file_name(result.draft, "docx")),
        "lantai-plan-clean.docx",
    )


def edited_docx(markdown: str, name: str) -> Download:
    """A Word file of (edited) plan Markdown, named by staff."""
    stem = safe_file_name(xml_safe(name)) or "plan"
    return Download(plan_docx(markdown), DOCX_MEDIA, f"{stem}.docx", "lantai-plan.docx")


class Plans:
    """Plan drafting over one knowledge base with the LLM the settings name."""

    def __init__(self, settings: Settings, kb: KnowledgeBase):
        self.settings = settings
        self.kb = kb

    def draft(self, year: int | None = None, org: str | None = None, mode: str = PlanMode.AUTO) -> PlanResult:
        return make_plan(self.settings, self.kb, year, org, mode)

    def organisations(self) -> list[str]:
        from assistant.plan import organisations

        return organisations(self.kb)

    def default_year(self, org: str) -> int | None:
        from assistant.plan.sources import default_year

        return default_year(self.kb, org)
