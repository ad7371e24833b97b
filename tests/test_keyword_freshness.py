"""Two real processes on one data directory: one ingests, the other answers keyword searches.

The reader must follow the writer's generations by mapping the builds the
writer publishes (not rebuilding them itself), must only ever serve a whole
build (one the writer published, with its full chunk count), and must rebuild
on its own once nobody is building and the registry moved on without a
publish.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from index.freshness import refresh_keywords
    from index.keywords import KeywordIndex
    from index.registry import Registry
    from ingest import parse_file

    data, docs = Path(sys.argv[1]), Path(sys.argv[2])
    registry = Registry(data / "registry.sqlite3")
    keywords = KeywordIndex(data / "bm25")
    texts = lambda ids: {c.id: c.embed_text() for c in registry.chunks(ids).values()}
    keywords.build_lock.acquire()  # before the reader starts: it must wait for this process's builds
    (data / "writer-locked").touch()
    while not (data / "reader-ready").exists():
        time.sleep(0.01)
    first = None
    for batch in range(6):
        for n in (2 * batch, 2 * batch + 1):
            path = docs / f"doc{n}.txt"
            path.write_text(f"第{n}号文件\\n\\n本馆开展docmark{n}活动，读者反响良好。", encoding="utf-8")
            doc = parse_file(path)
            first = first or doc.doc_id
            registry.begin_document(doc, "internal")
            registry.finish_document(doc.doc_id)
        refresh_keywords(keywords, registry, texts)  # publishes this generation
        print(json.dumps({"generation": keywords.generation, "count": len(keywords)}), flush=True)
        keywords.build_lock.release()
        time.sleep(0.25)  # the reader serves this build meanwhile
        keywords.build_lock.acquire()
    keywords.build_lock.release()
    registry.set_visibility(first, "public")  # moves the generation on without publishing a build
    print(json.dumps({"final_generation": registry.generation(), "builds": keywords.builds}), flush=True)
""")

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from index.freshness import refresh_keywords
    from index.keywords import KeywordIndex
    from index.registry import Registry

    data = Path(sys.argv[1])
    registry = Registry(data / "registry.sqlite3")
    keywords = KeywordIndex(data / "bm25")
    texts = lambda ids: {c.id: c.embed_text() for c in registry.chunks(ids).values()}
    seen, found_while_writing = [], set()
    from index.tokenize import tokenize
    tokenize("预热")  # the segmenter's dictionary loads now, not inside the writer's first 0.25 s window
    (data / "reader-ready").touch()
    deadline = time.time() + 120
    while time.time() < deadline:
        writer_done = (data / "writer-done").exists()
        refresh_keywords(keywords, registry, texts)
        state = [keywords.generation, len(keywords), keywords.builds]
        if not seen or seen[-1] != state:
            seen.append(state)
        if not writer_done:
            found_while_writing |= {n for n in range(12) if keywords.search(f"docmark{n}", 3)}
        if writer_done and keywords.generation == registry.generation():
            break
        time.sleep(0.01)
    found = [n for n in range(12) if keywords.search(f"docmark{n}", 3)]
    print(json.dumps({"seen": seen, "found": found, "found_while_writing": sorted(found_while_writing),
                      "generation": keywords.generation, "registry_generation": registry.generation(),
                      "builds": keywords.builds}))
""")


def _python(code: str, *args: str) -> subprocess.Popen:
    env = {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.time() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def test_a_reader_process_follows_a_writer_process_without_rebuilding_or_half_builds(tmp_path):
    data, docs = tmp_path / "data", tmp_path / "docs"
    data.mkdir()
    docs.mkdir()
    writer = _python(WRITER, str(data), str(docs))
    _wait_for(data / "writer-locked", writer)
    reader = _python(READER, str(data))
    out, err = writer.communicate(timeout=180)
    assert writer.returncode == 0, err
    (data / "writer-done").touch()
    r_out, r_err = reader.communicate(timeout=180)
    assert reader.returncode == 0, r_err

    lines = [json.loads(line) for line in out.splitlines()]
    published = {(p["generation"], p["count"]) for p in lines[:-1]}
    final = lines[-1]
    assert [p["count"] for p in lines[:-1]] == [2, 4, 6, 8, 10, 12]
    result = json.loads(r_out.strip().splitlines()[-1])

    # While the writer built, the reader only ever served builds the writer published, whole,
    # and built nothing itself.
    while_writing = [s for s in result["seen"] if s[2] == 0]
    assert while_writing[0] == [-1, 0, 0]  # nothing published yet: nothing served, nothing rebuilt
    served = {(g, n) for g, n, _ in while_writing[1:]}
    assert served and served <= published
    assert len(served) >= 2  # it followed the writer, build by build
    assert len(result["found_while_writing"]) >= 4

    # Afterwards the registry moved with no build published and nobody building: the reader rebuilt once.
    assert result["builds"] == 1
    assert result["generation"] == result["registry_generation"] == final["final_generation"]
    assert result["found"] == list(range(12))
