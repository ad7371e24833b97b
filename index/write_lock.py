"""One writer at a time on a knowledge base, across threads and across worker processes.

Several threads of one server (an ingest job, a removal, a visibility change) and, when the vectors
live on a Chroma server, several worker processes of one ``lantai serve --workers N`` may all want to
change the same base. The registry, the metrics table and the keyword index take one writer at a
time, so a writer holds a thread lock (re-entrant, for a writer that calls another) and, at its
outermost level, an OS file lock beside the data: the second process waits for the first, exactly as
the second thread does.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from filelock import FileLock, Timeout

WRITE_LOCK_NAME = ".lantai.write.lock"


class WriteLock:
    """A re-entrant lock held by one thread of one process at a time (``acquire``/``release``/``with``)."""

    def __init__(self, data_dir: Path):
        self._threads = threading.RLock()
        # thread_local=False: the depth below says when this process takes and gives back the file lock.
        self._file = FileLock(str(Path(data_dir) / WRITE_LOCK_NAME), thread_local=False)
        self._depth = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock; ``timeout`` seconds at most (-1: wait as long as it takes)."""
        started = time.monotonic()
        if not self._threads.acquire(blocking, timeout):
            return False
        if self._depth == 0:
            left = -1.0 if timeout < 0 else max(0.0, timeout - (time.monotonic() - started))
            try:
                self._file.acquire(timeout=left if blocking else 0)
            except Timeout:
                self._threads.release()
                return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._file.release()
        self._threads.release()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


__all__ = ["WriteLock", "WRITE_LOCK_NAME"]
