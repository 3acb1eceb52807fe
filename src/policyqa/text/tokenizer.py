"""The keyword tokenizer of the BM25 index: jieba words for Chinese, Snowball stems for English.

Its version, pattern and stop words are recorded in an index's manifest (`LexicalTokenizer.config`):
a BM25 index only means something to the tokenizer that built it, so a change to any of them makes an
old index refuse to load until it is rebuilt.
"""

from __future__ import annotations

import functools
import marshal
import re
import threading
from collections.abc import Iterator
from pathlib import Path

_EN_STOP = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
    "what", "which", "who", "how", "when", "where", "does", "do", "did", "about", "into", "their",
    "they", "them", "than", "then", "there", "these", "those", "been", "being", "such", "can",
    "may", "not", "no", "our", "we", "us", "you", "your",
}

_ZH_STOP = {
    "的", "了", "和", "与", "及", "等", "是", "在", "对", "为", "将", "把", "被", "以", "之", "其",
    "并", "或", "也", "就", "都", "而", "及其", "有", "中", "上", "下", "个",
    "什么", "哪些", "多少", "如何", "吗", "呢",
}

#: bump when tokens change in a way `config()` does not show (jieba mode, stemmer, normalisation)
TOKENIZER_VERSION = 2
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+(?:[.%][0-9]+)?%?", re.I)
#: texts up to this long (a question, a term's form) are cached by the tokenizer
_CACHED_CHARS = 200
#: the words a policy text introduces its short names with, "(以下称商保创新药目录)": the short name is a word
#: of its own, which jieba, not knowing 商保, would otherwise fuse with 称 ("称商保"), so that the sentence
#: defining the catalogue lost its name to the keyword search and to the answer layer's word coverage
_NAMING = re.compile(r"(以下简称|以下称|简称|下称)(?=[\u3400-\u9fff])")


class LexicalTokenizer:
    """Chinese by jieba (search mode), English lower-cased and Snowball-stemmed; stop words dropped."""

    def __init__(self) -> None:
        self._jieba = load_jieba()
        # questions and their translations' forms recur, and each asks jieba again (70 µs a form, a few
        # hundred forms a question; the search reads a question's words, the answer its tokens): short
        # texts are tokenized once; passages are not kept
        self._short = functools.lru_cache(maxsize=65536)(self._tokenized)

    def __call__(self, text: str) -> list[str]:
        return list(self._cached(text)[1])

    def pieces(self, text: str) -> list[list[str]]:
        """The tokens grouped by the word they come from: a Chinese word's search-mode parts (jieba's
        `cut_for_search`, word by word) and the word itself (维多利亚州 -> 维多, 多利, 利亚, 维多利, 多利亚,
        利亚州, 维多利亚州), an English word's stem alone. A query weighs a long word's parts as shares of
        one word; the index reads them flat."""
        return [list(group) for group in self._cached(text)[0]]

    def _cached(self, text: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        """`_tokenized`, kept for a short text (a question, a form, a sentence), not for a passage."""
        return self._short(text) if len(text) <= _CACHED_CHARS else self._tokenized(text)

    def _tokenized(self, text: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
        """The word groups (`pieces`) and the flat tokens."""
        groups = tuple(self._groups(text))
        return groups, tuple(token for group in groups for token in group)

    def _groups(self, text: str) -> Iterator[tuple[str, ...]]:
        for run in _TOKEN.findall(_NAMING.sub(r"\1 ", text.lower())):
            if "\u3400" <= run[0] <= "\u9fff":
                frequencies = self._jieba.dt.FREQ
                for word in self._jieba.cut(run):
                    group = tuple(t for t in _search_parts(word, frequencies) if t not in _ZH_STOP)
                    if group:
                        yield group
            elif run not in _EN_STOP:
                yield (english_stem(run),)

    @staticmethod
    def config() -> dict:
        """Everything that decides the tokens, as stored in the manifest and compared on load."""
        return {"version": TOKENIZER_VERSION, "pattern": _TOKEN.pattern, "chinese": "jieba cut_for_search",
                "english": "snowball english", "stop_words": {"en": sorted(_EN_STOP), "zh": sorted(_ZH_STOP)}}


_STEMMERS = threading.local()


def english_stem(word: str) -> str:
    """A word's Snowball English stem: the keyword index's, and what the answer layer matches counted words
    by. One stemmer per thread, as PyStemmer's are not thread-safe and answers are served from threads."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        import Stemmer

        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


def _search_parts(word: str, frequencies: dict[str, int]) -> list[str]:
    """jieba's `cut_for_search` on one word of `cut`: its known 2- and 3-character parts, then the word."""
    parts = []
    if len(word) > 2:
        parts += [word[i : i + 2] for i in range(len(word) - 1) if frequencies.get(word[i : i + 2])]
    if len(word) > 3:
        parts += [word[i : i + 3] for i in range(len(word) - 2) if frequencies.get(word[i : i + 3])]
    return [*parts, word]


def load_jieba():
    """jieba, its prefix dictionary loaded once per process (~0.4 s) from a cache in the user's cache folder.

    jieba caches the dictionary it derives from dict.txt in the temp folder, which a reboot or a tmp cleaner
    empties (deriving it again takes ~1.5 s), and reads the cache back with `marshal.load` on the open file,
    which reads it piece by piece: 1.2-2.4 s, against 0.4 s for `marshal.loads` of the whole file. The cache
    is jieba's own file, written by jieba the first time, and holds the same dictionary, so the words are the
    same.
    """
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.dt
    if tokenizer.initialized or tokenizer.dictionary is not jieba.DEFAULT_DICT:
        return jieba
    from ..settings import cache_dir

    cache = cache_dir() / f"jieba-{jieba.__version__}-marshal{marshal.version}.cache"
    try:
        frequencies, total = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        _initialize_into(tokenizer, cache)
        return jieba
    with tokenizer.lock:
        if not tokenizer.initialized:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
    return jieba


def _initialize_into(tokenizer, cache: Path) -> None:
    """jieba's own initialisation, writing its cache to `cache` (or to the temp folder if that fails)."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir, tokenizer.cache_file = str(cache.parent), cache.name
    except OSError:
        pass
    tokenizer.initialize()


def language_neutral(tokens: list[str]) -> list[str]:
    """Tokens that read the same in both languages: numbers, and Latin-script words in a question that
    also has Chinese (names and acronyms such as NRDL or CAR-T)."""
    chinese = any("\u3400" <= t[0] <= "\u9fff" for t in tokens)
    return [t for t in tokens if any(c.isdigit() for c in t) or (chinese and t.isascii())]
