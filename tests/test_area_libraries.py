"""A place's libraries together (某市全市公共图书馆, 某市…公共图书馆统计报告) are the place's, not its city library's."""

from __future__ import annotations

from assistant.named_in_question import find_orgs
from ingest.outline import detect_org

ORGS = ["岑州市图书馆", "岑州市", "柏溪县图书馆"]


def test_all_of_a_places_public_libraries_are_the_place():
    assert find_orgs("岑州全市公共图书馆2023年总藏量是多少？", ORGS) == ["岑州市"]
    assert find_orgs("岑州市各公共图书馆的从业人员有多少？", ORGS) == ["岑州市"]


def test_the_city_library_named_is_still_the_library():
    assert find_orgs("岑州市图书馆2023年总藏量是多少？", ORGS)[0] == "岑州市图书馆"
    assert find_orgs("岑州2023年进馆人次是多少？", ORGS)[0] == "岑州市图书馆"


def test_a_statistics_report_on_a_places_public_libraries_is_the_places():
    text = "岑州市2021—2023年公共图书馆事业发展统计分析报告\n\n全市6个公共图书馆，即岑州市图书馆、柏溪县图书馆……"
    assert detect_org(text.splitlines()[0], text) == "岑州市"


def test_a_summary_titled_by_a_place_is_its_librarys():
    text = "柏溪县2023年工作总结\n\n柏溪县图书馆全年接待读者……柏溪县图书馆新馆……"
    assert detect_org(text.splitlines()[0], text) == "柏溪县图书馆"
