"""Zip containers (.docx, .xlsx) checked before a library inflates them.

python-docx and openpyxl read members with ``ZipFile.read``, which inflates a
member in one call of up to 1 GiB whatever size the headers declare, and bzip2
or LZMA members without any bound. So the central directory is checked first
(member count, declared inflated sizes, compression ratio), and then every
member is inflated once in small steps, counting the bytes that really come
out: a member that inflates past its declared size is refused before the
library sees it. Office writes only stored and deflated members; others are
refused rather than inflated.
"""

from __future__ import annotations

import copy
import zipfile
import zlib
from pathlib import Path

from ..errors import IngestError
from ..limits import MB, RATIO_FLOOR, ReadLimits

_STEP = 1 << 20  # bytes inflated per read: memory stays at one step whatever the member holds
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _too_big(file_name: str, limits: ReadLimits) -> IngestError:
    mb = limits.max_inflated_bytes / MB
    return IngestError(
        file_name,
        f"文件解压后超过 {mb:.0f} MB 上限（可能是压缩炸弹），已拒绝读取",
        f"the file inflates beyond the {mb:.0f} MB limit (a possible zip bomb); refused",
    )


def check_zip(path: Path, limits: ReadLimits, kind_zh: str, kind_en: str) -> None:
    """Refuse a container that would inflate past the caps; ``kind_*`` names the format in errors."""
    corrupt = IngestError(path.name, f"{kind_zh}文件已损坏或不是有效格式", f"corrupt or not a valid {kind_en} file")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_directory(path.name, infos, limits)
            _inflate_all(path.name, zf, infos, limits)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; the others: a damaged directory or stream
        raise corrupt from exc


def _check_directory(file_name: str, infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    if len(infos) > limits.max_zip_members:
        raise IngestError(
            file_name,
            f"压缩包内文件数超过 {limits.max_zip_members} 个上限",
            f"the container holds more than {limits.max_zip_members} members",
        )
    for info in infos:
        if info.compress_type not in _METHODS:
            raise IngestError(
                file_name,
                "文件使用了 Office 不会使用的压缩方式，已拒绝读取",
                f"the container uses a compression method Office never writes ({info.compress_type}); refused",
            )
    if sum(i.file_size for i in infos) > limits.max_inflated_bytes:
        raise _too_big(file_name, limits)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_zip_ratio * max(1, info.compress_size):
            raise IngestError(
                file_name,
                f"文件内「{info.filename}」压缩比异常（超过 {limits.max_zip_ratio} 倍），可能是压缩炸弹，已拒绝读取",
                f"member '{info.filename}' is compressed more than {limits.max_zip_ratio}:1 (a possible zip bomb); refused",
            )


def _inflate_all(file_name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    """Inflate each member in steps; a member yielding more than it declares is lying about its size."""
    total = 0
    for info in infos:
        # One byte more than declared is allowed through, so that a longer stream shows itself
        # instead of being cut off by zipfile at the declared size. Without a CRC to compare,
        # zipfile reports the excess byte rather than a checksum error; the library that reads
        # the member next still checks its CRC.
        probe = copy.copy(info)
        probe.file_size = info.file_size + 1
        del probe.CRC
        produced = 0
        with zf.open(probe) as member:
            while chunk := member.read(_STEP):
                produced += len(chunk)
                total += len(chunk)
                if produced > info.file_size:
                    raise IngestError(
                        file_name,
                        f"文件内「{info.filename}」实际解压大小与声明不符，可能是压缩炸弹，已拒绝读取",
                        f"member '{info.filename}' inflates beyond its declared size (a possible zip bomb); refused",
                    )
                if total > limits.max_inflated_bytes:
                    raise _too_big(file_name, limits)
