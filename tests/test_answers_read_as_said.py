"""Questions read the way staff say them and documents the way they are written: 24年 is 2024; a
figure whose name the document never writes as one (a clause with another number in it) is stated in
the document's own words; a city named by its place words (石州) is its library, its public libraries
or the city itself, whichever document answers.

The libraries, places and documents are fictional and written here; each question goes through a real
knowledge base (Chroma, SQLite, the embedder).
"""

from __future__ import annotations

import pytest
from written_kb import assistant_over

pytestmark = pytest.mark.slow

REPORT = """石州市图书馆2024年工作报告

一、服务效能

全年总流通186.4万人次，同比增长11.4%；2023年总流通167.3万人次。全年举办读者活动1286场，其中线上活动312场。

二、阅读推广

截至2024年底，“石榴夜读”已在全县5个乡镇设立夜读点9个，累计开展夜读活动186场。
"""

BULLETIN = """石州市2024年文化和旅游发展统计公报

（三）博物馆。年末全市共有博物馆12个。全年博物馆接待观众268.4万人次，其中未成年观众71.3万人次。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory, embedder, {"shizhou-2024-report.txt": REPORT, "shizhou-2024-bulletin.txt": BULLETIN}
    )
    yield assistant
    kb.close()


def test_a_two_digit_year_is_the_year(assistant):
    answer = assistant.ask("石州市图书馆23年总流通是多少？")
    assert not answer.refused and "167.3万人次" in answer.answer and "186.4" not in answer.answer, answer.answer
    assert answer.question == "石州市图书馆23年总流通是多少？"  # the question as asked


def test_a_figure_named_by_a_clause_is_stated_in_the_documents_words(assistant):
    answer = assistant.ask("石榴夜读现在有几个夜读点？")
    assert not answer.refused and "5个乡镇设立夜读点9个" in answer.answer, answer.answer


def test_a_place_named_alone_reaches_the_citys_own_documents(assistant):
    answer = assistant.ask("石州的博物馆2024年接待未成年观众多少人次？")
    assert not answer.refused and "71.3万人次" in answer.answer, answer.answer
