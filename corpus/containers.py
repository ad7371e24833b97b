"""Deterministic zip containers (docx, xlsx): fixed entry timestamps, so a rebuild is byte-for-byte the same."""

from __future__ import annotations

import io
import zipfile

ZIP_DATE = (2025, 1, 10, 9, 0, 0)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps and attributes, same entry order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()
