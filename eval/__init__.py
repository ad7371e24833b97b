"""Gold sets and measurements: each ``python -m eval.<name>`` prints its figures and, last, one JSON line.

The performance benchmark (``eval.bench``, ``lantai bench``) is split by step: ``bench_inputs``,
``bench_machine``, ``bench_ingest``, ``bench_synthetic``, ``bench_sizes`` with its serving process
``bench_probe``, ``bench_naive``, ``bench_summary`` and ``bench_report``. The soak, the fuzzers and the
reliability run share ``served`` (``lantai serve`` as a child process) and ``rss``; the soak's traffic
is ``soak_traffic``, the WeChat fuzzer's inputs ``wechat_fuzzer``, the WeChat load test's servers
``wechat_servers``. ``standins/`` holds the servers that play the services Lantai talks to.
"""
