"""The estimate of the time left while scanned pages are read: the mean time per page so far."""

from __future__ import annotations

from ingest.page_progress import PageProgress, PageTimer, about_zh
from ui.web.render import job_markdown


def test_the_estimate_is_the_mean_time_per_page_times_the_pages_left():
    # Page 1 starts at 100 and takes 4 s (with the warm-up), pages 2 and 3 take 2 s and 3 s.
    ticks = iter([100.0, 104.0, 106.0, 109.0])
    events: list[PageProgress] = []
    timer = PageTimer("scan.pdf", 4, events.append, clock=lambda: next(ticks))
    for _ in range(4):
        timer.next_page()
    # Before any page is read: no estimate; after one: its time; after more: their mean, the first left out.
    assert [(e.page, e.total, e.seconds_left) for e in events] == [(1, 4, None), (2, 4, 12.0), (3, 4, 4.0), (4, 4, 2.5)]
    assert events[0].zh() == "正在识别扫描件：第 1/4 页（扫描件需要文字识别，每页约数秒）"
    assert events[2].zh() == "正在识别扫描件：第 3/4 页，预计还需约 4 秒"
    assert events[1].en() == "OCR page 2/4, about 15 s left"  # 12 s, said in fives above ten


def test_the_time_left_is_said_roughly():
    assert [about_zh(s) for s in (0.2, 8.0, 37.0, 59.5, 61.0, 600.0)] == [
        "约 1 秒",
        "约 8 秒",
        "约 40 秒",
        "约 60 秒",
        "约 2 分钟",
        "约 10 分钟",
    ]


def test_the_job_notice_shows_the_page_of_the_file_being_read():
    running = {"name": "扫描件.pdf", "status": "running", "progress": "正在识别扫描件：第 3/12 页，预计还需约 40 秒"}
    done = {"name": "总结.txt", "status": "added", "progress": None}
    snap = {"job_id": "abcdef123", "state": "running", "files_done": 1, "files_total": 2}
    snap |= {"chunks_embedded": 4, "chunks_planned": 4, "files": [done, running]}
    shown = job_markdown(snap)
    assert "- … 扫描件.pdf：导入中 —— 正在识别扫描件：第 3/12 页，预计还需约 40 秒" in shown.splitlines()
    assert shown.count("正在识别扫描件") == 1
