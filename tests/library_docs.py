"""Work documents of two fictional libraries, written here: 云岭县图书馆 (two summaries, so the one with most
documents) and 望川区图书馆 (one). Each states its own 2024 进馆人数, so a question naming neither library
is answered differently by each."""

from __future__ import annotations

from pathlib import Path

YUNLING = "云岭县图书馆"
WANGCHUAN = "望川区图书馆"
VISITS_2024 = {YUNLING: "12.56万人次", WANGCHUAN: "30.81万人次"}

DOCUMENTS = {
    "yunling-2023.txt": """云岭县图书馆2023年工作总结

一、服务效能
2023年，云岭县图书馆全年进馆人数11.20万人次，外借图书7.9万册次，举办阅读推广活动126场次。

二、存在问题
馆舍面积偏小，专业人员不足。
""",
    "yunling-2024.txt": """云岭县图书馆2024年工作总结

一、服务效能
2024年，云岭县图书馆全年进馆人数12.56万人次，同比增长12.14%；外借图书8.4万册次，举办阅读推广活动140场次。

二、2025年工作计划
新建读书驿站3间，力争全年进馆人数达到13万人次。
""",
    "wangchuan-2024.txt": """望川区图书馆2024年工作总结

一、主要数据
2024年，望川区图书馆全年进馆人数30.81万人次，同比增长5.1%；外借图书21.6万册次，举办阅读推广活动310场次。

二、下一步打算
推进总分馆建设，新增分馆2个。
""",
}


def write_documents(folder: Path) -> list[Path]:
    """The three documents written into ``folder``, in a stable order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder / name for name in DOCUMENTS)
