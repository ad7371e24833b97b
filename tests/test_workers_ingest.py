"""Several workers over a Chroma server: one ingests while the others answer, and then all know it.

Real processes throughout: ``lantai serve --workers 2`` with a real redis-server and a real Chroma
server on loopback, uploads over HTTP. The write lock that lets any worker ingest is checked across
two real processes too.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import httpx
import pytest
from conftest import flush_state

from eval.wechat_servers import WorkerProcesses
from index import KnowledgeBase
from index.write_lock import WriteLock

OLD_DOC = """青川区图书馆2023年工作总结

一、主要数据

2023年青川区图书馆进馆人数为48.6万人次，全年举办阅读推广活动280场次。
"""
NEW_DOC = """青川区图书馆2024年工作总结

一、主要数据

2024年青川区图书馆进馆人数为53.1万人次，全年举办阅读推广活动312场次。
"""
OLD_QUESTION = "2023年青川区图书馆进馆人数是多少？"
NEW_QUESTION = "2024年青川区图书馆进馆人数是多少？"


def _hold(data_dir, held, release):
    lock = WriteLock(data_dir)
    with lock:
        held.set()
        release.wait(30)


def test_the_write_lock_holds_across_processes(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    other = ctx.Process(target=_hold, args=(tmp_path, held, release))
    other.start()
    try:
        assert held.wait(60)
        mine = WriteLock(tmp_path)
        assert not mine.acquire(timeout=0.3)  # the other process writes
        release.set()
        assert mine.acquire(timeout=30)
        assert mine.acquire(timeout=0)  # re-entrant within this process
        mine.release()
        mine.release()
    finally:
        release.set()
        other.join(30)


def test_the_write_lock_is_one_writer_at_a_time_within_a_process(tmp_path):
    lock = WriteLock(tmp_path)
    lock.acquire()
    outcome = {}
    waiter = threading.Thread(target=lambda: outcome.setdefault("got", lock.acquire(timeout=0.3)))
    waiter.start()
    waiter.join()
    assert outcome["got"] is False
    lock.release()
    assert lock.acquire(timeout=1)
    lock.release()


def _ask(url: str, question: str) -> tuple[int, str]:
    with httpx.Client(timeout=60) as client:  # a new connection each time: any worker may take it
        reply = client.post(url + "/api/ask", json={"question": question})
        return reply.status_code, reply.json().get("answer", "") if reply.status_code == 200 else reply.text


@pytest.mark.fault  # concurrent processes on a real data directory: slow
def test_one_worker_ingests_while_the_others_answer(tmp_path, embedder, redis_url, chroma_server_url):
    flush_state({"redis_url": redis_url})
    data = tmp_path / "data"
    old = tmp_path / "qingchuan-2023-summary.txt"
    old.write_text(OLD_DOC, encoding="utf-8")
    kb = KnowledgeBase(data, embedder, chroma_url=chroma_server_url)
    assert kb.ingest([old]).ok
    kb.close()
    env = {"LANTAI_REDIS_URL": redis_url, "LANTAI_CHROMA_URL": chroma_server_url}
    with WorkerProcesses(data, env, workers=2, log=tmp_path / "serve.log") as served:
        answers_during: list[tuple[int, str]] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                answers_during.append(_ask(served.url, OLD_QUESTION))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            upload = httpx.post(
                served.url + "/api/documents",
                files=[("files", ("qingchuan-2024-summary.txt", NEW_DOC.encode(), "text/plain"))],
                timeout=60,
            )
            assert upload.status_code == 202, upload.text
            job_id = upload.json()["job_id"]
            deadline = time.monotonic() + 300
            while True:  # the job's progress is shared: whichever worker is asked reports it
                job = httpx.get(f"{served.url}/api/jobs/{job_id}", timeout=30).json()
                if job["state"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
        finally:
            stop.set()
            asker.join(120)
        assert job["state"] == "done", job
        assert answers_during and all(code == 200 and "48.6万" in text for code, text in answers_during), answers_during

        workers_seen, new_answers = set(), []
        for _ in range(60):  # until both workers have answered a few times each
            workers_seen.add(httpx.get(served.url + "/healthz", timeout=30).json()["worker"])
            new_answers.append(_ask(served.url, NEW_QUESTION))
            if len(workers_seen) == 2 and len(new_answers) >= 6:
                break
        assert len(workers_seen) == 2
        assert all(code == 200 and "53.1万" in text for code, text in new_answers), new_answers
        documents = httpx.get(served.url + "/api/documents", timeout=30).json()
        assert sorted(d["title"] for d in documents) == ["青川区图书馆2023年工作总结", "青川区图书馆2024年工作总结"]
