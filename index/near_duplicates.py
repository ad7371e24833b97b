"""Near-duplicate signatures: a MinHash of a document's normalised text, compared by estimated Jaccard.

The text is normalised (NFKC, lower case, letters and digits only: OCR gets punctuation and spaces
wrong far more often than characters), cut into overlapping character shingles, and each shingle is
hashed. ``PERMUTATIONS`` multiply-shift hashes of those give the signature: the share of positions
where two signatures agree estimates the Jaccard similarity of the two shingle sets.

A signature is twice ``PERMUTATIONS`` unsigned 32-bit numbers (1 KB: text, then numbers), stored with the
document in the registry (``index.duplicates``), so a new document is compared with every stored one
without reading any of them again. ``SIGNATURE_VERSION`` names the recipe: a stored signature of
another recipe is computed again from the stored text.

The threshold is measured (``tests/test_duplicates.py``): the seed report read from its text layer
and from its scan agree at about 0.99; two years' summaries of one library written from the same
outline and phrases stay under 0.5.

A copy also states the same figures: beside the text's signature is one of the numbers the document
writes, and two documents whose wording agrees but whose numbers mostly differ (one year's statistics
template filled in with the next year's figures) are two documents, not one.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

SHINGLE = 5
PERMUTATIONS = 128
# Shingles hashed at once: bounds the memory of one signature (block x PERMUTATIONS x 8 bytes).
_BLOCK = 2048
SIGNATURE_VERSION = f"minhash-{SHINGLE}-{PERMUTATIONS}-2"
# Share of the numbers two copies must have in common (an OCR copy misreads a few of them)
NUMBERS_AGREE = 0.5
# Fewer distinct numbers than this say nothing about which figures a document states
_FEW_NUMBERS = 5
# Documents whose estimated Jaccard similarity reaches this are the same document.
THRESHOLD = 0.75
# Texts shorter than this (normalised) are too short to call anything a copy of them.
MIN_CHARS = 200

_rng = np.random.default_rng(20250101)
_MULTIPLIERS = _rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_OFFSETS = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_EMPTY = np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)


def normalise(text: str) -> str:
    """What the signature reads: letters and digits only, width and case folded."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def signature(text: str) -> bytes:
    """The MinHash signature of ``text``'s shingles, then that of its numbers, as bytes (little-endian uint32)."""
    norm = normalise(text)
    shingles = {norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)} if len(norm) >= SHINGLE else set()
    numbers = set(re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", text)))
    return _minhash(shingles) + _minhash(numbers if len(numbers) >= _FEW_NUMBERS else set())


def _minhash(items: set[str]) -> bytes:
    if not items:
        return _EMPTY.tobytes()
    hashed = np.fromiter({zlib.crc32(item.encode("utf-8")) for item in items}, dtype=np.uint64)
    low = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashed), _BLOCK):
        with np.errstate(over="ignore"):  # multiply-shift hashing wraps modulo 2**64 on purpose
            mixed = hashed[start : start + _BLOCK, None] * _MULTIPLIERS[None, :] + _OFFSETS[None, :]
        np.minimum(low, (mixed >> np.uint64(32)).min(axis=0), out=low)
    return low.astype("<u4").tobytes()


def long_enough(text: str) -> bool:
    return len(normalise(text)) >= MIN_CHARS


def similarities(sig: bytes, others: list[bytes]) -> np.ndarray:
    """Estimated Jaccard similarity of ``sig``'s text with each of ``others``, in their order; 0 where
    both state enough numbers and too few of them agree."""
    if not others:
        return np.zeros(0)
    mine = np.frombuffer(sig, dtype="<u4").reshape(2, PERMUTATIONS)
    table = np.frombuffer(b"".join(others), dtype="<u4").reshape(len(others), 2, PERMUTATIONS)
    text: np.ndarray = (table[:, 0, :] == mine[0][None, :]).mean(axis=1)
    numbers = (table[:, 1, :] == mine[1][None, :]).mean(axis=1)
    counted = ~(table[:, 1, :] == _EMPTY[None, :]).all(axis=1) & bool(not (mine[1] == _EMPTY).all())
    agree: np.ndarray = np.where(counted & (numbers < NUMBERS_AGREE), 0.0, text)
    return agree
