"""Mutated and random files of every format: each is read or refused with an IngestError, none crashes or hangs."""

import pytest

from eval.fuzz_loaders import FORMATS, fuzz, run_input, warm
from eval.isolate import Worker

PER_FORMAT = 25


@pytest.fixture(scope="module")
def worker():
    with Worker(run_input, warm, timeout=10.0, max_rss_mb=1024.0) as w:
        yield w


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_inputs_never_crash_or_hang(worker, fmt):
    report = fuzz(fmt, PER_FORMAT, seed=7, worker=worker)
    assert report.tried == PER_FORMAT
    assert report.crashes == [] and report.hangs == []
