"""How a process loads the keyword index's tools: jieba's dictionary from the user's cache folder, bm25s
without numba and scipy. Each case runs in a fresh interpreter (both are once-per-process states), on the
real corpus, real jieba and real bm25s; the words must be jieba's own either way."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: every Chinese passage of the bundled corpus through the keyword tokenizer, as JSON
TOKENS = """
import json, pathlib
from policyqa.text.tokenizer import LexicalTokenizer
texts = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path("corpus").glob("*.txt"))]
print(json.dumps([LexicalTokenizer()(t) for t in texts], ensure_ascii=False))
"""


def _run(code: str, cache_home: Path) -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True).stdout


def _jieba_own_words(tmp_path: Path) -> list:
    """The tokens with jieba initialised its own way (its cache in a folder of its own)."""
    own = f"import jieba\njieba.dt.tmp_dir = {str(tmp_path / 'jieba_own')!r}\njieba.initialize()\n" + TOKENS
    (tmp_path / "jieba_own").mkdir()
    return json.loads(_run(own, tmp_path / "unused"))


def test_jieba_dictionary_is_cached_in_the_user_cache_folder_and_gives_jiebas_words(tmp_path: Path) -> None:
    first = json.loads(_run(TOKENS, tmp_path))  # no cache yet: jieba builds it and writes it there
    caches = list((tmp_path / "policyqa").glob("jieba-*.cache"))
    assert len(caches) == 1
    again = json.loads(_run(TOKENS, tmp_path))  # read back from that cache
    assert first == again == _jieba_own_words(tmp_path)
    assert sum(len(tokens) for tokens in first) > 1000


def test_a_damaged_jieba_cache_is_rebuilt(tmp_path: Path) -> None:
    _run(TOKENS, tmp_path)
    cache = next((tmp_path / "policyqa").glob("jieba-*.cache"))
    cache.write_bytes(b"not a marshalled dictionary")
    assert json.loads(_run(TOKENS, tmp_path)) == _jieba_own_words(tmp_path)
    assert cache.stat().st_size > 1_000_000


def test_bm25s_is_imported_without_numba_and_scipy_which_stay_importable(tmp_path: Path) -> None:
    """Whichever of the two is installed (scipy comes with scikit-learn; numba with nothing policyqa needs)
    imports fine after bm25s was loaded without it."""
    assert importlib.util.find_spec("scipy")
    also = "import numba\n" if importlib.util.find_spec("numba") else ""
    code = f"""
import sys
from policyqa.index.lexical import LexicalIndex
index = LexicalIndex()
index.build(["药品审评审批制度改革", "clinical trial approval"])
print(sorted(m for m in ("numba", "scipy") if m in sys.modules), index.knows("审评"))
import scipy.sparse
{also}"""
    assert _run(code, tmp_path).split() == ["[]", "True"]
