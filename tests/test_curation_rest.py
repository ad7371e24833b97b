"""The curation store over REST, for admins: reviewed answers listed, edited and withdrawn, the review queue,
the statistics and their Excel export — and ratings of earlier versions read in once, none lost.

Real uvicorn on loopback, real SQLite, the real embedder over two small documents.
"""

from __future__ import annotations

import io
import json

import httpx
import pytest
from openpyxl import load_workbook
from serving import serving

from ui.services.audit import AuditLog
from ui.services.curation_store import CurationStore
from ui.services.feedback import FeedbackLog
from ui.services.reviewed import Reviewer
from ui.settings import Settings

STAFF, ADMIN = "staff-key", "admin-key"
SUMMARY_2024 = (
    "青川区图书馆2024年工作总结\n\n一、主要工作\n\n"
    "全年进馆人数208.37万人次，同比增长6.05%。新建读书驿站11间，全区读书驿站达到63间。\n"
)
SUMMARY_2023 = "青川区图书馆2023年工作总结\n\n一、主要工作\n\n全年进馆人数196.45万人次，同比增长12.3%。\n"
ASKED = [
    "青川区图书馆2024年进馆人数是多少？",
    "青川区图书馆2024年进馆人数是多少？",
    "江州市图书馆2024年累计馆藏量是多少？",
]


@pytest.fixture
def live(kb, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "青川区图书馆2024年工作总结.txt").write_text(SUMMARY_2024, encoding="utf-8")
    (docs / "青川区图书馆2023年工作总结.txt").write_text(SUMMARY_2023, encoding="utf-8")
    assert kb.ingest([docs]).ok
    from ui.api import create_app

    settings = Settings(_env_file=None, data_dir=kb.data_dir, admin_keys=ADMIN, llm_api_base=None, reranker_path=None)
    app = create_app(settings, kb=kb, api_keys=[STAFF, ADMIN])
    with serving(app) as (url, _):
        with httpx.Client(base_url=url, timeout=60) as client:
            client.app = app
            yield client


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_only_admins_reach_the_curation_routes(live):
    for path in ("/api/reviewed-answers", "/api/review-queue", "/api/usage", "/api/usage/export"):
        assert live.get(path).status_code == 401
        assert live.get(path, headers=_h(STAFF)).status_code == 403
        assert live.get(path, headers=_h(ADMIN)).status_code == 200


def test_usage_and_its_workbook_count_the_log(live):
    answers = [live.post("/api/ask", json={"question": q}, headers=_h(STAFF)).json() for q in ASKED]
    assert [a["refused"] for a in answers] == [False, False, True]
    usage = live.get("/api/usage", headers=_h(ADMIN)).json()
    assert (usage["asked"], usage["refused"]) == (3, 1)
    assert usage["refusal_rate"] == round(1 / 3, 4)
    assert usage["top_questions"][0] == {"question": ASKED[0], "times": 2}
    assert [d["asked"] for d in usage["per_day"]] == [3]
    cited = [c["title"] for a in answers for c in a["citations"]]
    assert {d["title"]: d["cited"] for d in usage["documents"]} == {t: cited.count(t) for t in set(cited)}

    response = live.get("/api/usage/export", headers=_h(ADMIN))
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "每日提问", "问题命中", "最慢回答", "文档引用"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert (summary["提问总数"], summary["未找到答案"]) == (3, 1)
    assert list(book["问题命中"].iter_rows(min_row=2, values_only=True)) == [(ASKED[0], 2), (ASKED[2], 1)]
    assert sum(r[2] for r in book["文档引用"].iter_rows(min_row=2, values_only=True)) == len(cited)
    assert book["最慢回答"].max_row == 4


def test_admins_list_edit_and_withdraw_reviewed_answers(live):
    record = live.post("/api/ask", json={"question": ASKED[0]}, headers=_h(STAFF)).json()
    reviewed = live.app.state.services.reviewed
    kept = [dict(record["citations"][0], doc_id=live.app.state.kb.documents()[0].id)]
    answer_id = reviewed.correct(ASKED[0], "208.37万人次。", kept, Reviewer("张馆员"))

    listed = live.get("/api/reviewed-answers", headers=_h(ADMIN)).json()
    assert [(r["id"], r["question"], r["reviewer"], r["in_force"]) for r in listed] == [
        (answer_id, ASKED[0], "张馆员", True)
    ]
    edited = live.put(
        f"/api/reviewed-answers/{answer_id}", json={"answer": "208.37万人次（核对后）。"}, headers=_h(ADMIN)
    )
    assert edited.status_code == 200 and edited.json()["answer"] == "208.37万人次（核对后）。"
    assert live.put("/api/reviewed-answers/999", json={"answer": "x"}, headers=_h(ADMIN)).status_code == 404
    assert live.put(f"/api/reviewed-answers/{answer_id}", json={"answer": "x"}, headers=_h(STAFF)).status_code == 403

    withdrawn = live.delete(f"/api/reviewed-answers/{answer_id}", headers=_h(ADMIN))
    assert withdrawn.status_code == 200 and withdrawn.json()["in_force"] is False
    assert live.get("/api/reviewed-answers", headers=_h(ADMIN)).json() == []
    assert len(live.get("/api/reviewed-answers?withdrawn=true", headers=_h(ADMIN)).json()) == 1
    again = live.post("/api/ask", json={"question": ASKED[0]}, headers=_h(STAFF)).json()
    assert again["reviewed"] is None


def test_the_queue_over_rest_lists_refusals_newest_first(live):
    for q in ("江州市图书馆2024年累计馆藏量是多少？", "南海区图书馆2024年外借册次是多少？"):
        assert live.post("/api/ask", json={"question": q}, headers=_h(STAFF)).json()["refused"]
    queue = live.get("/api/review-queue", headers=_h(ADMIN)).json()
    assert [(q["question"], q["reasons"], q["who"]) for q in queue] == [
        ("南海区图书馆2024年外借册次是多少？", ["未找到答案"], "api"),
        ("江州市图书馆2024年累计馆藏量是多少？", ["未找到答案"], "api"),
    ]


def test_ratings_of_an_earlier_version_are_read_in_once(tmp_path):
    legacy = [
        {
            "question": "2024年进馆人数？",
            "answer": "208.37万",
            "citations": [],
            "rating": "down",
            "time": "2025-01-02T10:00:00+08:00",
            "user": "馆员",
        },
        {
            "question": "2023年进馆人数？",
            "answer": "196.45万",
            "citations": [],
            "rating": "up",
            "time": "2025-01-03T10:00:00+08:00",
            "user": None,
        },
    ]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in legacy) + '{"question": "torn'
    (tmp_path / "feedback.jsonl").write_text(text, encoding="utf-8")
    store = CurationStore(tmp_path)
    CurationStore(tmp_path)  # opened again: nothing read twice
    assert (tmp_path / "feedback.jsonl").read_text(encoding="utf-8") == text  # left as it was
    records = [
        json.loads(line) for line in (FeedbackLog(store, AuditLog(tmp_path)).read() or b"").decode("utf-8").splitlines()
    ]
    assert [(r["question"], r["rating"], r["user"]) for r in records] == [
        ("2024年进馆人数？", "down", "馆员"),
        ("2023年进馆人数？", "up", None),
    ]
    from ui.services.usage import review_queue

    assert [q["question"] for q in review_queue(store)] == ["2024年进馆人数？"]  # a 👎 waits for review
