"""The WeChat load script at small scale: every message answered exactly once, passively or late."""

from __future__ import annotations

import pytest

from eval.wechat_load import report, run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "budget, aes", [(4.5, False), (0.0, False), (4.5, True)], ids=["passive", "customer-service", "passive-aes"]
)
def test_load_script_small(public_kb, budget, aes, capsys):
    result = run(public_kb, messages=24, users=6, seconds=3, budget=budget, lossy=0.25, settle_seconds=30, aes=aes)
    report(result)
    out = capsys.readouterr().out
    assert "duplicates: 0" in out and "content-safety gate: on" in out
    assert result["gate"] and result["gate_words"] > 10 and result["aes"] == aes
    assert result["duplicates"] == 0 and result["lost"] == 0 and result["invalid_replies"] == 0
    assert result["passive"] + result["customer_service"] == 24
    assert result["retries"] == 6 and result["answers_started"] == 24  # retries of lost replies: no second answer
    if budget:
        assert result["passive"] == 24 and result["passive_p95_ms"] < 5000
    else:
        assert result["customer_service"] == 24
