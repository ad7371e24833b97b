"""Production code names no library of the sample corpus or of the seed document.

A rule that works only because it knows the sample library's name does not hold on
another library's documents. The names are read from the sample corpus (its generator
and its hand-written documents) and the seed's file name, not listed here.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ("ingest", "index", "assistant", "ui")
_LIBRARY = re.compile(r"([\u4e00-\u9fff]{1,6}?)(省|市|县|区|旗|州|镇)图书馆")
_BEFORE = re.compile(r"^.*[年度的与及在了是为对将把被给让这该此其各每个所有哪些获到们]")
_GENERIC = {"全", "本", "各", "城", "地", "社", "省级", "市级", "县级", "区级"}


def corpus_library_names() -> set[str]:
    """Each library the sample corpus names, with its place and the place's short form."""
    texts = [(ROOT / "corpus" / "build.py").read_text(encoding="utf-8")]
    texts += [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "corpus").rglob("*"))
        if p.suffix in (".md", ".txt") and p.is_file()
    ]
    names: set[str] = set()
    for text in texts:
        for core, suffix in _LIBRARY.findall(text):
            core = _BEFORE.sub("", core)
            if len(core) >= 2 and core not in _GENERIC and not core.endswith(tuple(_GENERIC)):
                names |= {core, core + suffix, core + suffix + "图书馆"}
    return names


SEED = ROOT.parent / "shared" / "seed" / "nanhai-library-2024-summary-2025-plan.txt"


def seed_library_names() -> set[str]:
    """The seed's library (its file name says whose it is: nanhai-library-… is 南海区图书馆), and any the
    seed's title names when it is beside the checkout."""
    names = {"南海", "南海区", "南海区图书馆"}
    if SEED.exists():
        title = SEED.read_text(encoding="utf-8").strip().splitlines()[0]
        for core, suffix in _LIBRARY.findall(title):
            core = _BEFORE.sub("", core)
            if len(core) >= 2:
                names |= {core, core + suffix, core + suffix + "图书馆"}
    return names


def test_the_sample_corpus_names_its_library():
    names = corpus_library_names()
    assert len(names) >= 3 and any(n.endswith("区图书馆") for n in names), names


def test_production_code_names_no_corpus_library():
    names = corpus_library_names() | seed_library_names()
    offenders = []
    for package in PRODUCTION:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".yaml", ".yml") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(names) if name in text]
    assert not offenders, offenders
