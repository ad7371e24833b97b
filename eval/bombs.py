"""Files that are small on disk and enormous to read, and how fast each is refused.

Each builder writes one bomb into a folder and returns its path:

- ``docx_zip_bomb``: about 1 MB of .docx whose document.xml inflates to 1 GiB;
- ``docx_lying_sizes``: a .docx whose zip headers declare 4 KB for a member
  that really inflates to 1 GiB;
- ``huge_page_pdf``: a PDF of a few hundred bytes with one 14400×14400 pt page
  (about 5 m square); ``text=False`` leaves it without a text layer, so it is sent
  to OCR, which rendered it at 43200² px;
- ``xlsx_rows_bomb``: a 200k-row sheet without ``<dimension>``;
- ``blank_pages_pdf``: 3,000 blank pages, each of which would go to OCR.

``python -m eval.bombs`` builds them all and reads each in a fresh child
process, printing seconds to refusal and extra peak RSS.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .isolate import Outcome, Worker

if TYPE_CHECKING:
    from ingest import ReadLimits

GIB = 1 << 30
_STEP = 1 << 20


def _docx_template() -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("青川区图书馆2024年工作总结")
    d.save(buf)
    return buf.getvalue()


def _copy_except(src: bytes, dst: zipfile.ZipFile, skip: str) -> None:
    with zipfile.ZipFile(io.BytesIO(src)) as zin:
        for info in zin.infolist():
            if info.filename != skip:
                dst.writestr(info.filename, zin.read(info), zipfile.ZIP_DEFLATED)


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_zip_bomb(folder: Path, inflated: int = GIB) -> Path:
    """A .docx whose body is ``inflated`` bytes of paragraphs, each a 1 MiB run of one character.

    Runs are what deflate compresses best (about 1000:1), so the file stays near 1 MB.
    """
    path = Path(folder) / "zip-bomb.docx"
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_W}><w:body>'.encode()
    tail = b"</w:body></w:document>"
    para = b"<w:p><w:r><w:t>" + "馆".encode() * ((_STEP - 40) // 3) + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _copy_except(_docx_template(), zf, "word/document.xml")
        with zf.open("word/document.xml", "w") as member:
            member.write(head)
            for _ in range(max(1, (inflated - len(head) - len(tail)) // len(para))):
                member.write(para)
            member.write(tail)
    return path


def docx_lying_sizes(folder: Path, inflated: int = GIB) -> Path:
    """A .docx whose central directory says document.xml is 4 KB while it inflates to ``inflated`` bytes.

    The declared size and CRC are those of the member's first 4 KB, so a reader that
    trusts the headers and stops there sees a valid file.
    """
    import struct
    import zlib

    honest = docx_zip_bomb(folder, inflated)
    path = Path(folder) / "lying-sizes.docx"
    data = bytearray(honest.read_bytes())
    with zipfile.ZipFile(honest) as zf:
        info = zf.getinfo("word/document.xml")
        with zf.open(info) as member:
            prefix = member.read(4096)
    crc, size = zlib.crc32(prefix), len(prefix)
    # Patch the local header (crc at +14, uncompressed size at +22) and the central directory entry
    # (crc at +16, uncompressed size at +24).
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = info.filename.encode()
    cd = 0
    while True:
        cd = data.find(b"PK\x01\x02", cd)
        if cd < 0:
            raise RuntimeError("central directory entry not found")
        if data[cd + 46 : cd + 46 + len(name)] == name:
            break
        cd += 4
    struct.pack_into("<I", data, cd + 16, crc)
    struct.pack_into("<I", data, cd + 24, size)
    path.write_bytes(bytes(data))
    honest.unlink()
    return path


def huge_page_pdf(folder: Path, text: bool = True) -> Path:
    """One 14400×14400 pt page, the largest the PDF format allows at the default user unit.

    With ``text=False`` the page carries a drawn frame and no text, so it is not
    blank and reading it means rendering it for OCR.
    """
    import pymupdf

    path = Path(folder) / ("huge-page.pdf" if text else "huge-page-scan.pdf")
    doc = pymupdf.open()
    page = doc.new_page(width=14400, height=14400)
    if text:
        page.insert_text((72, 72), "Qingchuan District Library annual report 2024", fontname="helv", fontsize=12)
    else:
        page.draw_rect(pymupdf.Rect(72, 72, 14328, 14328), color=(0, 0, 0), width=20)
    doc.save(path, garbage=4, deflate=True)
    return path


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def xlsx_rows_bomb(folder: Path, rows: int = 200_000) -> Path:
    """A workbook whose one sheet has ``rows`` rows and no ``<dimension>`` to announce them."""
    import openpyxl

    template = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.worksheets[0].title = "借阅明细"  # the sheet a new workbook starts with (its active one)
    wb.save(template)
    path = Path(folder) / "rows-bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        _copy_except(template.getvalue(), zf, "xl/worksheets/sheet1.xml")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(_SHEET_HEAD.encode())
            for r in range(1, rows + 1):
                member.write(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>分馆{r % 97}</t></is></c>'
                    f'<c r="B{r}"><v>{r * 7 % 10007}</v></c><c r="C{r}"><v>{r * 13 % 1009}</v></c>'
                    f'<c r="D{r}"><v>{r % 365}</v></c></row>'.encode()
                )
            member.write(b"</sheetData></worksheet>")
    return path


def blank_pages_pdf(folder: Path, pages: int = 3000) -> Path:
    """``pages`` blank A4 pages: no text layer, so every page used to go to OCR."""
    import pymupdf

    path = Path(folder) / "blank-pages.pdf"
    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=595, height=842)
    doc.save(path, garbage=4, deflate=True)
    return path


BUILDERS = {
    "docx zip bomb (1 GiB XML)": docx_zip_bomb,
    "docx lying zip headers": docx_lying_sizes,
    "pdf 14400 pt page, text": lambda folder: huge_page_pdf(folder, text=True),
    "pdf 14400 pt page, scan (OCR)": lambda folder: huge_page_pdf(folder, text=False),
    "xlsx 200k rows, no <dimension>": xlsx_rows_bomb,
    "pdf 3000 blank pages": blank_pages_pdf,
}


# --- reading in a child under a watchdog ----------------------------------------


def read_file(path: str, limits: ReadLimits | None = None) -> tuple[str, str, str]:
    """Parse one file in the child: ("refused", zh, en) for an ``IngestError``, ("read", title, "") otherwise."""
    from ingest import IngestError, parse_file

    try:
        doc = parse_file(Path(path)) if limits is None else parse_file(Path(path), limits=limits)
    except IngestError as err:
        return "refused", err.zh, err.en
    return "read", doc.title, ""


def warm() -> None:
    """Import every loader's libraries before measuring, so a measurement is the file's own cost."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401
    import pymupdf  # noqa: F401

    import ingest  # noqa: F401

    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        pass


def read_isolated(path: Path, limits: object = None, timeout: float = 60.0, max_rss_mb: float = 2048.0) -> Outcome:
    """Read ``path`` in a fresh child; kill it past ``timeout`` seconds or ``max_rss_mb`` of growth."""
    with Worker(read_file, warm, timeout=timeout, max_rss_mb=max_rss_mb) as worker:
        return worker.call(str(path), limits)


def describe(outcome: Outcome) -> str:
    if outcome.status == "error":  # anything but an IngestError: a crash
        kind, message, _ = outcome.value
        return f"crash {kind}: {message}"
    if outcome.status == "ok":
        verdict, zh, en = outcome.value
        return f"{verdict}: {zh} / {en}" if verdict == "refused" else f"read (title {zh!r})"
    return outcome.status


def refused(outcome: Outcome) -> bool:
    return outcome.status == "ok" and outcome.value[0] == "refused"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="reads per bomb; the table shows medians")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a read counts as a hang")
    parser.add_argument("--max-rss-mb", type=float, default=2048.0, help="growth at which a read is killed")
    args = parser.parse_args(argv)
    print(f"{'bomb':34} {'file':>10} {'seconds':>8} {'extra MB':>9}  outcome")
    worst = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in BUILDERS.items():
            folder = Path(tmp) / str(len(list(Path(tmp).iterdir())))
            folder.mkdir()
            path = build(folder)
            outcomes = [read_isolated(path, timeout=args.timeout, max_rss_mb=args.max_rss_mb) for _ in range(args.runs)]
            seconds = statistics.median(o.seconds for o in outcomes)
            extra = statistics.median(o.extra_rss_mb for o in outcomes)
            size = path.stat().st_size
            shown = f"{size / 1024 / 1024:.2f} MB" if size > 1 << 20 else f"{size} B"
            print(f"{name:34} {shown:>10} {seconds:8.2f} {extra:9.1f}  {describe(outcomes[0])}", flush=True)
            good = all(refused(o) for o in outcomes) and seconds <= 2 and extra <= 300
            worst = max(worst, 0 if good else 1)
    return worst


if __name__ == "__main__":
    sys.exit(main())
