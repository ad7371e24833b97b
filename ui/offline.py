"""Nothing may try to reach a model hub or send telemetry: the libraries' own switches, set at start-up.

These are switches of the libraries (Hugging Face, Gradio, onnxruntime, Chroma), read from the
environment by them, not settings of ours; a value already there is left alone. Set when a
surface starts (the command line, a server worker, opening a knowledge base), never on import.
"""

from __future__ import annotations

import os

LIBRARY_SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
}


def stay_offline() -> None:
    for key, value in LIBRARY_SWITCHES.items():
        os.environ.setdefault(key, value)


__all__ = ["LIBRARY_SWITCHES", "stay_offline"]
