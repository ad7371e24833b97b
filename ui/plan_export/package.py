"""The saved .docx package: document properties, the Chinese fonts described, fixed timestamps."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx.oxml.ns import qn

from .styles import FONT_BODY, FONT_HEADING_1, FONT_HEADING_2, FONT_PAGE_NUMBER, FONT_TITLE


def set_core_properties(doc, title: str, created: datetime | None) -> None:
    when = created or datetime.now(UTC)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    when = when.replace(microsecond=0)
    props = doc.core_properties
    props.title = title
    props.subject = "工作计划"
    props.author = "兰台"
    props.last_modified_by = "兰台"
    props.language = "zh-CN"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = when
    props.modified = when


# How each named font is described in word/fontTable.xml: the alternative name, PANOSE class,
# GB2312 charset (86) and family. Word and WPS use these to pick the nearest installed font when
# the named one is missing (Windows 10 ships 仿宋 and 楷体, not the _GB2312 versions).
_FONT_TABLE = (
    (FONT_BODY, "仿宋", "02010609030101010101", "modern", "fixed"),
    (FONT_HEADING_2, "楷体", "02010609030101010101", "modern", "fixed"),
    (FONT_HEADING_1, "SimHei", "02010609060101010101", "modern", "fixed"),
    (FONT_TITLE, "方正小标宋_GBK", "02000000000000000000", "auto", "variable"),
    (FONT_PAGE_NUMBER, "SimSun", "02010600030101010101", "auto", "variable"),
)


def _font_table(xml: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(xml)
    for name, alt, panose, family, pitch in _FONT_TABLE:
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alt),
            ("w:panose1", panose),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", pitch),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def finish_package(data: bytes) -> bytes:
    """The saved package with the Chinese fonts described and fixed member timestamps.

    python-docx stamps zip members with the current time; a fixed one makes equal input give
    equal bytes.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/fontTable.xml":
                content = _font_table(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()
