"""Two years' summaries of one library, written from one outline with the same phrases: different
documents that share most of their wording (the near-duplicate check must tell them apart)."""

from __future__ import annotations

from pathlib import Path

FIGURES = {
    2023: dict(visits=186.4, growth=7.2, readers=21350, loans=142.6, events=1280, people=35.8, towns=8, branches=3,
               rooms=5, points=46, digital=512.3, shows=12, fans=8.6, next_branches=4, next_events=1300, next_visits=195),
    2024: dict(visits=201.7, growth=8.2, readers=24810, loans=151.3, events=1416, people=39.2, towns=9, branches=4,
               rooms=7, points=53, digital=588.1, shows=15, fans=10.2, next_branches=3, next_events=1500, next_visits=210),
}  # fmt: skip


def year_summary(year: int) -> str:
    """临江区图书馆's summary of ``year`` (2023 or 2024) with its plan for the next year."""
    n = FIGURES[year]
    return f"""临江区图书馆{year}年工作总结

一、基本情况
{year}年，临江区图书馆坚持以人民为中心，围绕全民阅读和公共文化服务体系建设开展工作，全年接待读者{n["visits"]}万人次，同比增长{n["growth"]}%。新增注册读者{n["readers"]}人，文献外借{n["loans"]}万册次。
二、主要工作
（一）阅读推广
全年举办阅读推广活动{n["events"]}场，参与群众{n["people"]}万人次。“临江书香”品牌活动覆盖全区{n["towns"]}个镇街，开展亲子阅读、经典诵读和读书分享会。
（二）总分馆建设
新建分馆{n["branches"]}个、城市书房{n["rooms"]}间，总分馆通借通还点达到{n["points"]}个，服务网络进一步完善。
（三）数字服务
数字资源访问量{n["digital"]}万次，上线线上展览{n["shows"]}个，微信公众号关注人数达到{n["fans"]}万人。
三、存在问题
一是馆舍面积不足，二是专业人才短缺，三是基层分馆服务效能有待提升。
四、{year + 1}年工作计划
{year + 1}年，我馆将继续推进总分馆体系建设，计划新建分馆{n["next_branches"]}个，举办阅读活动不少于{n["next_events"]}场，力争接待读者{n["next_visits"]}万人次。
"""


def write_summary(folder: Path, year: int, name: str | None = None) -> Path:
    path = folder / (name or f"临江区图书馆{year}年工作总结.txt")
    path.write_text(year_summary(year), encoding="utf-8")
    return path
