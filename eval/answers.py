"""Answer quality on the QA gold set, against a naive baseline in the same run.

Run: ``python -m eval.answers [--data-dir D] [--show-errors]``. The sample
corpus and the real seed are ingested into a fresh knowledge base (or ``--data-dir``
is reused). Every question is answered by the assistant (extractive mode), by
plain retrieval (the top hybrid-search chunk shown as the answer, cited) and by a
naive baseline: fixed 512-character chunks, vector-only top-3, the top chunk as
the answer. Scoring follows ``eval/gold/QA_GUIDE.md``:

- correct: every ``expect`` string and one member of each ``expect_any`` group
  occur in the answer (whitespace removed); a ``no_answer`` item is correct
  when the answer refuses;
- citation support: among correct answers to answerable items, the share whose
  citations include a passage from one of the item's sources that contains an
  expected string;
- refusal accuracy: no_answer items refused; false refusals: answerable items refused.

``python -m eval.answers --set realdocs [--split dev|test|all]`` scores the set written
from real documents of other libraries instead (see ``eval/realdocs.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eval.common import SEED, knowledge_base, load_gold, median, percentile, print_json_line, squash

if TYPE_CHECKING:
    from chromadb.api.types import Metadata

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GOLD = "qa.jsonl"
TARGETS = {"accuracy": 0.90, "figure": 0.97, "citations": 0.95, "refusal": 0.90, "false_refusals": 0.03, "p95_ms": 300}


def is_correct(item: dict, answer_text: str, refused: bool) -> bool:
    if item.get("refuse"):
        return refused
    if refused:
        return False
    text = squash(answer_text)
    if not all(squash(e) in text for e in item.get("expect", [])):
        return False
    return all(any(squash(m) in text for m in group) for group in item.get("expect_any", []))


def cites_support(item: dict, citations: list[dict], chunk_texts: list[str]) -> bool:
    expects = [squash(e) for e in item.get("expect", [])] + [squash(m) for g in item.get("expect_any", []) for m in g]
    if item.get("class") == "arithmetic" and "=" in item.get("note", ""):
        # A computed value stands in no passage: its evidence is a cited operand of the formula.
        expects = re.findall(r"\d+(?:\.\d+)?", item["note"].split("=")[0])
    for c, text in zip(citations, chunk_texts):
        if c["source"] in item.get("sources", []) and any(e in squash(text) for e in expects):
            return True
    return False


@dataclass
class Result:
    item: dict
    answer: str
    refused: bool
    correct: bool
    supported: bool
    latency_ms: float


def summarise(results: list[Result], key: str = "kind") -> dict:
    """Overall figures, and accuracy per value of ``item[key]`` (reported under ``by_kind``)."""
    answerable = [r for r in results if not r.item.get("refuse")]
    unanswerable = [r for r in results if r.item.get("refuse")]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by_kind[r.item[key]].append(r.correct)
    correct_answerable = [r for r in answerable if r.correct]
    latencies = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        "accuracy": sum(r.correct for r in results) / len(results),
        "by_kind": {k: (sum(v) / len(v), len(v)) for k, v in sorted(by_kind.items())},
        "citations": (sum(r.supported for r in correct_answerable) / len(correct_answerable))
        if correct_answerable
        else 0.0,
        "refusal": (sum(r.refused for r in unanswerable) / len(unanswerable)) if unanswerable else 1.0,
        "false_refusals": (sum(r.refused for r in answerable) / len(answerable)) if answerable else 0.0,
        "p50_ms": median(latencies),
        "p95_ms": percentile(latencies, 0.95),
    }


def run_assistant(assistant, kb, gold: list[dict]) -> list[Result]:
    results = []
    for item in gold:
        ans = assistant.ask(item["question"], history=item.get("history") or None)
        data = ans.as_dict()
        texts = [
            (kb.registry.chunks([c.chunk_id]).get(c.chunk_id).text if c.chunk_id else c.quote) for c in ans.citations
        ]
        correct = is_correct(item, ans.answer, ans.refused)
        results.append(
            Result(
                item,
                ans.answer,
                ans.refused,
                correct,
                correct and not item.get("refuse") and cites_support(item, data["citations"], texts),
                ans.latency_ms,
            )
        )
    return results


class NaiveBaseline:
    """Fixed 512-character chunks of each document's text, vector-only top-3, the top chunk as the answer."""

    def __init__(self, kb, work_dir: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.kb = kb
        client = chromadb.PersistentClient(
            path=str(work_dir / "baseline"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.collection = client.get_or_create_collection(
            "naive512", embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        if self.collection.count() == 0:
            ids: list[str] = []
            texts: list[str] = []
            metas: list[Metadata] = []
            for doc in kb.documents():
                text = kb.registry.document_text(doc.id)
                for i in range(0, len(text), 512):
                    ids.append(f"{doc.id}-{i}")
                    texts.append(text[i : i + 512])
                    metas.append({"file": doc.file_name})
            vectors = kb.embedder.embed_passages(texts)
            self.collection.add(ids=ids, embeddings=vectors.tolist(), documents=texts, metadatas=metas)

    def ask(self, question: str, history=None) -> tuple[str, list[dict], list[str], float]:
        started = time.perf_counter()
        q = question if not history else " ".join(history + [question])
        res = self.collection.query(query_embeddings=[self.kb.embedder.embed_query(q).tolist()], n_results=3)
        documents, metadatas = res["documents"], res["metadatas"]
        assert documents is not None and metadatas is not None, "Chroma returns documents and metadatas by default"
        texts = documents[0]
        metas = metadatas[0]
        latency = (time.perf_counter() - started) * 1000
        citations = [{"n": 1, "source": metas[0]["file"]}] if texts else []
        return (texts[0] if texts else ""), citations, texts[:1], latency


class PlainRetrieval:
    """The knowledge base's own hybrid search, no answering: the top chunk is the answer, cited.

    Shows what retrieval alone delivers, so the assistant's composition and refusal
    logic can be judged against it. It never refuses.
    """

    def __init__(self, kb):
        self.kb = kb

    def ask(self, question: str, history=None) -> tuple[str, list[dict], list[str], float]:
        started = time.perf_counter()
        q = question if not history else " ".join(history + [question])
        hits = self.kb.search(q, k=1)
        latency = (time.perf_counter() - started) * 1000
        if not hits:
            return "", [], [], latency
        chunk = hits[0].chunk
        return chunk.text, [{"n": 1, "source": chunk.file_name}], [chunk.text], latency


def run_baseline(baseline, gold: list[dict]) -> list[Result]:
    """Score a non-refusing answerer whose ``ask`` returns (answer, citations, cited texts, latency ms)."""
    results = []
    for item in gold:
        answer, citations, texts, latency = baseline.ask(item["question"], item.get("history") or None)
        correct = is_correct(item, answer, refused=False)
        results.append(
            Result(
                item,
                answer,
                False,
                correct,
                correct and not item.get("refuse") and cites_support(item, citations, texts),
                latency,
            )
        )
    return results


def print_summary(name: str, s: dict) -> None:
    print(f"\n{name}: {s['questions']} questions")
    print(
        f"  accuracy {s['accuracy']:.3f} · citations support {s['citations']:.3f} · refusal accuracy "
        f"{s['refusal']:.3f} · false refusals {s['false_refusals']:.3f} · latency p50 {s['p50_ms']:.1f} ms "
        f"p95 {s['p95_ms']:.1f} ms"
    )
    print("  " + " · ".join(f"{k} {acc:.2f} ({n})" for k, (acc, n) in s["by_kind"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--set",
        choices=("own", "realdocs"),
        default="own",
        help="own: the project's QA set (default); realdocs: the set written from real documents",
    )
    parser.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="dev",
        help="realdocs only: which frozen split of documents to score (default dev)",
    )
    args = parser.parse_args(argv)

    if args.set == "realdocs":
        from eval.realdocs import run as run_realdocs

        return run_realdocs(split=args.split, data_dir=args.data_dir, show_errors=args.show_errors)

    from assistant import Assistant

    gold = load_gold(GOLD)
    if not SEED.exists():
        gold = [
            g
            for g in gold
            if "nanhai-library-2024-summary-2025-plan.txt" not in g.get("sources", []) and "南海" not in g["question"]
        ]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        kb = knowledge_base(data_dir)
        assistant = Assistant(kb)
        assistant.ask("预热")  # warm process: models loaded, caches filled
        ours = summarise(results := run_assistant(assistant, kb, gold))
        base = plain = None
        if not args.no_baseline:
            plain = summarise(run_baseline(PlainRetrieval(kb), gold))
            baseline = NaiveBaseline(kb, data_dir.parent)
            base = summarise(run_baseline(baseline, gold))
        kb.close()
    print_summary("Lantai (extractive)", ours)
    if plain:
        print_summary("plain retrieval (top hybrid-search chunk as the answer, cited)", plain)
    if base:
        print_summary("naive baseline (512-char chunks, vector top-3, top chunk)", base)
    if args.show_errors:
        for r in results:
            if not r.correct:
                print(
                    f"\n✗ {r.item['id']} [{r.item['kind']}] {r.item['question']}  expect={r.item['expect']} "
                    f"any={r.item.get('expect_any')} refuse={r.item.get('refuse')}\n  → {r.answer[:300]}"
                )
    print_json_line(
        {
            "lantai": {k: v for k, v in ours.items() if k != "by_kind"},
            "baseline": {k: v for k, v in (base or {}).items() if k != "by_kind"},
            "plain_retrieval": {k: v for k, v in (plain or {}).items() if k != "by_kind"},
        }
    )
    ok = (
        ours["accuracy"] >= TARGETS["accuracy"]
        and ours["by_kind"].get("figure", (1, 0))[0] >= TARGETS["figure"]
        and ours["citations"] >= TARGETS["citations"]
        and ours["refusal"] >= TARGETS["refusal"]
        and ours["false_refusals"] <= TARGETS["false_refusals"]
        and ours["p95_ms"] <= TARGETS["p95_ms"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
