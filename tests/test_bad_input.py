"""Bad files get a clear message naming the file and the reason; nothing stored is lost."""

import json

import pymupdf
import pytest
from typer.testing import CliRunner

from ingest import IngestError, parse_file
from ui.cli import app

pytestmark = pytest.mark.slow


def _bad_files(folder):
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("\n \n\t\n", encoding="utf-8")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "picture.jpg").write_bytes(b"\xff\xd8\xff\xe0 not supported")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 truncated zip")
    enc = pymupdf.open()
    enc.new_page().insert_text((72, 72), "secret", fontname="helv")
    enc.save(folder / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="owner")
    (folder / "good.txt").write_text("青川区图书馆2023年工作总结\n\n全年进馆人数372.5万人次。\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "空的"),
        ("blank.txt", "没有可读取的文字"),
        ("corrupt.pdf", "损坏"),
        ("binary.txt", "二进制"),
        ("picture.jpg", "不支持的文件类型"),
        ("broken.docx", "损坏"),
        ("locked.pdf", "加密"),
    ],
)
def test_each_bad_file_has_a_clear_reason(tmp_path, name, reason):
    folder = _bad_files(tmp_path / "in")
    with pytest.raises(IngestError) as err:
        parse_file(folder / name)
    assert err.value.file_name == name
    assert reason in err.value.zh and err.value.en


def test_size_limit(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("青川区图书馆。" * 1000, encoding="utf-8")
    with pytest.raises(IngestError) as err:
        parse_file(f, max_bytes=1000)
    assert "大小上限" in err.value.zh and "size limit" in err.value.en


def test_cli_ingests_the_rest_and_exits_non_zero_keeping_what_was_stored(tmp_path, embedder):
    data = tmp_path / "data"
    runner = CliRunner()
    earlier = tmp_path / "earlier.txt"
    earlier.write_text("青川区图书馆2022年工作总结\n\n全年新增注册读者2.1万人。\n", encoding="utf-8")
    first = runner.invoke(app, ["ingest", str(earlier), "--data-dir", str(data)])
    assert first.exit_code == 0, first.output

    folder = _bad_files(tmp_path / "in")
    result = runner.invoke(app, ["ingest", str(folder), "--data-dir", str(data)])
    assert result.exit_code == 1
    out = result.output
    for name in ("empty.txt", "corrupt.pdf", "binary.txt", "picture.jpg", "broken.docx", "locked.pdf"):
        assert name in out
    assert "加密" in out and "encrypted" in out  # both languages

    listed = json.loads(runner.invoke(app, ["docs", "--json", "--data-dir", str(data)]).output)
    assert sorted(d["file_name"] for d in listed) == ["earlier.txt", "good.txt"]
    assert all(d["status"] == "ready" for d in listed)
    hits = json.loads(runner.invoke(app, ["search", "新增注册读者", "--json", "--data-dir", str(data)]).output)
    assert hits[0]["file"] == "earlier.txt"


def test_cli_missing_path_and_bad_visibility(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 1 and "路径不存在" in r.output and "does not exist" in r.output
    r = runner.invoke(app, ["ingest", str(tmp_path), "--visibility", "secret", "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2 and "internal" in r.output


def test_changed_file_that_became_corrupt_keeps_the_old_version(tmp_path, kb):
    f = tmp_path / "report.txt"
    f.write_text("青川区图书馆2023年工作总结\n\n全年开展活动412场次。\n", encoding="utf-8")
    assert kb.ingest([f]).ok
    f.write_bytes(b"\x00\x01\x02" * 100)
    report = kb.ingest([f])
    assert not report.ok
    assert kb.search("活动场次", k=1)[0].chunk.file_name == "report.txt"
