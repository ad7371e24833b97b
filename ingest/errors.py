"""Domain errors raised by ingest, carrying a message in both languages."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be ingested. ``zh`` is shown to staff, ``en`` to logs and the CLI."""

    def __init__(self, file_name: str, zh: str, en: str):
        super().__init__(f"{file_name}: {en}")
        self.file_name = file_name
        self.zh = zh
        self.en = en

    def bilingual(self) -> str:
        return f"{self.file_name}: {self.zh} / {self.en}"
