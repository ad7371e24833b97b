"""``lantai metrics``: the metrics table, its conflicts, sums over branches and plan targets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from ..metrics_export import row_values, to_csv, to_xlsx
from ..services.metrics import Metrics
from ..services.trends import notes
from .common import AsJson, DataDir, console, fail, open_kb

metrics_app = typer.Typer(
    help="指标表：从文档中提取的全部数字 / the metrics table: every figure read from the documents."
)


def open_metrics(data_dir: Path | None) -> Metrics:
    return Metrics(open_kb(data_dir))


@metrics_app.callback(invoke_without_command=True)
def metrics(
    ctx: typer.Context,
    indicator: str | None = typer.Option(None, "--indicator", help="指标（可用别名）/ indicator (aliases work)"),
    year: int | None = typer.Option(None, "--year", help="年份 / year"),
    scope: str | None = typer.Option(None, "--scope", help="范围，如 某分馆 / scope, e.g. a branch"),
    org: str | None = typer.Option(None, "--org", help="单位（图书馆）/ library"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
    as_csv: bool = typer.Option(False, "--csv", help="输出 CSV / print CSV"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="导出 Excel 文件 / write an .xlsx file"),
    derived: bool = typer.Option(True, "--derived/--no-derived", help="含推算值 / include derived values"),
) -> None:
    """列出指标 / list figures, filtered by indicator, year and scope."""
    if ctx.invoked_subcommand is not None:
        return
    metrics_service = open_metrics(data_dir)
    rows = metrics_service.rows(indicator, year, scope, include_derived=derived, org=org)
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            fail(f"导出文件须以 .xlsx 结尾 / the export file must end in .xlsx: {xlsx}")
        to_xlsx(rows, xlsx)
        console.print(f"[green]✓[/green] 已导出 {len(rows)} 条 / wrote {len(rows)} rows to {xlsx}")
        return
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    if as_csv:
        sys.stdout.write(to_csv(rows))
        return
    if not rows:
        hint = f"（已知指标 known: {'、'.join(metrics_service.indicators_known()[:20])}）" if indicator else ""
        console.print(f"没有符合条件的指标 / no figures match{hint}")
        return
    table = Table("指标 indicator", "年份 year", "数值 value", "类型 kind", "范围 scope", "变化 change", "来源 source")
    for r in rows:
        v = row_values(r)
        value = f"{v['qualifier']}{r.stated}" + (" 推算" if r.derived else "")
        table.add_row(r.indicator, str(r.year or ""), value, v["kind"], r.scope, v["change"], r.file_name)
    console.print(table)
    console.print(f"共 {len(rows)} 条 / {len(rows)} figures")


@metrics_app.command("conflicts")
def metrics_conflicts(data_dir: Path | None = DataDir, as_json: bool = AsJson) -> None:
    """同一指标在不同文档中数值不一致 / the same figure stated differently in two documents."""
    conflicts = open_metrics(data_dir).conflicts()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "indicator": c.indicator,
                        "year": c.year,
                        "scope": c.scope,
                        "org": c.org,
                        "figures": [r.as_dict() for r in c.rows],
                    }
                    for c in conflicts
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    if not conflicts:
        console.print("未发现数据冲突 / no conflicts")
        return
    for c in conflicts:
        console.print(f"[bold]{c.org} {c.indicator} {c.year}年[/bold]{(' · ' + c.scope) if c.scope else ''}")
        seen = set()
        for r in c.rows:
            if (r.file_name, r.stated) in seen:
                continue
            seen.add((r.file_name, r.stated))
            console.print(f"   {r.stated:>14}  {r.file_name}  「{r.quote[:60]}」", highlight=False)
    console.print(f"共 {len(conflicts)} 处冲突 / {len(conflicts)} conflicts")


@metrics_app.command("sum")
def metrics_sum(
    indicator: str = typer.Option(..., "--indicator", help="指标 / indicator"),
    year: int = typer.Option(..., "--year", help="年份 / year"),
    part: str | None = typer.Option(None, "--share-of", help="某范围占全区的比例 / a scope's share of the whole"),
    data_dir: Path | None = DataDir,
) -> None:
    """各分馆、服务点合计，并与全区数对照；或某一范围的占比 / a sum over branches, or one scope's share."""
    from index.metrics import share

    store = open_metrics(data_dir).store
    summed, whole = store.branch_total(indicator, year)
    if part:
        rows = [r for r in store.lookup(indicator, year, scope=part) if not r.derived]
        if not rows or not whole:
            fail(f"找不到「{part}」或全区的{indicator}{year}年数据 / no figure for '{part}' or the whole system", 1)
        result = share(rows[0], whole[0])
        if result is None:
            fail(
                f"「{part}」与全区的{indicator}单位不同或全区数为零，无法计算占比 / the units differ or the whole is zero",
                1,
            )
        console.print(f"{part}占全区的 {result.value:.2f}%（{result.formula}）", highlight=False)
        return
    if summed is None:
        fail(f"没有按分馆或服务点记录的{indicator}{year}年数据 / no per-branch figures", 1)
    console.print(
        f"{indicator} {year}年 各范围合计：{summed.value:g}{summed.unit}（{summed.formula}）", highlight=False
    )
    for w in whole[:3]:
        same = abs(w.plain_value - summed.value * (w.plain_value / w.value if w.value else 1)) < 1e-6 * max(
            1, w.plain_value
        )
        console.print(
            f"  全区数 {w.stated}（{w.file_name}）{'✓ 一致' if same else '✗ 不一致 / differs'}", highlight=False
        )


_STATUS = {"met": "已完成 met", "not_met": "未完成 not met", "not_reported": "尚无实际数 not yet reported"}


@metrics_app.command("targets")
def metrics_targets(
    indicator: str | None = typer.Option(None, "--indicator"),
    year: int | None = typer.Option(None, "--year"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
) -> None:
    """计划目标与实际完成情况 / plan targets against the actuals later reported."""
    statuses = open_metrics(data_dir).targets(indicator, year)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "indicator": t.indicator,
                        "year": t.year,
                        "status": t.status,
                        "target": t.target.as_dict(),
                        "actual": t.actual.as_dict() if t.actual else None,
                    }
                    for t in statuses
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    table = Table("指标 indicator", "年份 year", "目标 target", "实际 actual", "结论 status", "来源 sources")
    for t in statuses:
        actual = t.actual.stated if t.actual else "—"
        sources = t.target.file_name + (f" / {t.actual.file_name}" if t.actual else "")
        table.add_row(
            t.indicator, str(t.year), (t.target.qualifier or "") + t.target.stated, actual, _STATUS[t.status], sources
        )
    console.print(table)


@metrics_app.command("trend")
def metrics_trend(
    indicator: str = typer.Option(..., "--indicator", help="指标（可用别名）/ indicator (aliases work)"),
    library: str | None = typer.Option(None, "--org", help="图书馆，不填则每馆一条 / library; each one if omitted"),
    scope: str | None = typer.Option(None, "--scope", help="范围，不填为全区 / scope; the whole library if omitted"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
) -> None:
    """趋势：每年一个数，与网页趋势图相同 / one value a year, the figures the web app's chart draws."""
    found = open_metrics(data_dir).trend(indicator, library, scope)
    if as_json:
        print(json.dumps(found.as_dict(), ensure_ascii=False, indent=1))
        return
    table = Table("图书馆 library", "年份 year", "数值 value", "原文 stated", "范围 scope", "来源 source")
    for p in found.points:
        table.add_row(p.library, str(p.year), f"{p.value:g}{p.unit}", p.row.stated, p.row.scope, p.row.file_name)
    console.print(table)
    for line in notes(found):
        console.print(f"  · {line}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
