"""What the trend chart says beside itself for a picked library: another library's branch figures are that
library's (not an example of this one's branches), and a single year is said in words, not drawn as an
empty chart. Two fictional libraries' documents are written here and ingested into a real knowledge base."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from index import KnowledgeBase
from ui.services.metrics import Metrics
from ui.web.tabs.metrics import ALL, MetricHandlers

pytestmark = pytest.mark.slow

DOCUMENTS = {
    "yunling-2023.txt": "云岭县图书馆2023年工作总结\n\n一、服务效能\n2023年，云岭县图书馆全年进馆人数11.20万人次。\n",
    "yunling-2024.txt": "云岭县图书馆2024年工作总结\n\n一、服务效能\n2024年，云岭县图书馆全年进馆人数12.56万人次，"
    "其中城关分馆进馆人数3.2万人次。\n",
    "wangchuan-2024.txt": "望川区图书馆2024年工作总结\n\n一、主要数据\n2024年，望川区图书馆全年进馆人数30.81万人次。\n",
}


@pytest.fixture(scope="module")
def handlers(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(tmp_path_factory.mktemp("data"), embedder)
    assert kb.ingest(sorted(folder.glob("*.txt"))).ok
    yield MetricHandlers(SimpleNamespace(metrics=Metrics(kb)), cache=None)
    kb.close()


def test_another_librarys_branch_is_no_example_of_the_picked_librarys_branches(handlers):
    heading, _, note = handlers.trend("进馆人数", ALL, "望川区图书馆")
    assert "城关分馆" not in note.split("云岭县图书馆的")[0], note
    assert "云岭县图书馆的" in note and "未画出" in note, note
    assert "只有2024年一个数字（30.81万人次）" in heading, heading


def test_a_library_with_several_years_gets_its_chart(handlers):
    heading, plot, _ = handlers.trend("进馆人数", ALL, "云岭县图书馆")
    assert "画不成趋势线" not in heading
    assert list(plot["value"]["数值"]) == [11.2, 12.56]
