"""Answer-sized pieces of the retrieved passages, each with the features that say how well it answers.

A piece is a stored sentence (its vector comes from the index: nothing is embedded at answer time), cut
further where a source runs bullet points together ("... [1] - It emphasizes ..."). The features are
on fixed scales so that one linear model, fitted by eval/fit_answer.py, ranks them for every question.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..text.language import CJK, detect_language
from ..text.people import is_roster, names_romanised, romanised_names
from ..text.places import places_about, places_named
from ..text.sentences import split_sentences
from .facts import QuestionFacts, asked_person

#: a source's own footnote markers: "... yuan [3]." or ＂［1］＂; ours are added afterwards
FOOTNOTE = re.compile(r"\s*[\[［【](\d{1,3})[\]］】]")
#: bullet points a source runs together on one line
BULLET = re.compile(r"(?<=[\]］])\s+-\s+|\s+-\s+(?=[A-Z\u3400-\u9fff])")
_END = re.compile(r"[。！？.!?；;:：]\s*[”’」』）)\"']*\s*$")
#: a numbered heading even when it ends in a full stop: "(六)合理确定创新药医保支付标准。", "一、…", "3. …",
#: or a digest's numbered label ("Group 1: Support for R&D and Innovation", which a Hainan answer had
#: quoted as a supporting sentence)
NUMBERED = re.compile(r"^\s*(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|"
                       r"\d{1,2}[.、]\s|(?:Group|Part|Section|Chapter|Category)\s+\d{1,2}\s*[:：])", re.I)
#: where text/sentences.py cuts an overlong sentence: after a comma, never after a full stop
_CUT = re.compile(r"[，、：,:]$")
#: longest whole sentence a lead quotes (a stored sentence is at most 300 characters)
WHOLE_CHARS = 480
#: ... and one that announces a list ("16 initiatives across five areas: …", "包括以下三个方面：…"), whose
#: list would otherwise be cut after its first item
LIST_CHARS = 960
_LIST_OPENS = re.compile(r"(?:\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:[a-z-]+\s+)?"
                         r"(?:areas|aspects|fields|parts|dimensions|tasks|measures|priorities|categories)|"
                         r"[两二三四五六七八九十\d]+\s*(?:个|项|条)?(?:方面|领域|部分|维度|任务|措施))\s*[:：]",
                         re.I)
_WORD = re.compile(r"[A-Za-z]{2,}|\d+")
#: a source's own question ("How to shorten the approval deadline from 60 working days to 30?") echoes
#: the question's words and answers nothing
_QUESTION = re.compile(r"[?？]\s*[”’」』）)\"']*$")
#: a dateline: a full date on a line of its own, after the source's name or not ("2025-07-08", "Hai Nan Ri
#: Bao· 2025-08-18 02:08", "2025年7月8日")
_DATE_TIME = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)(?:\s+\d{1,2}:\d{2})?\s*$"
DATELINE = re.compile(rf"^[^\d。.!?]{{0,40}}?{_DATE_TIME}")
#: a dateline's date and time, to leave its source's name ("Hai Nan Ri Bao· 2025-08-18 02:08")
DATELINE_SOURCE = re.compile(_DATE_TIME)

FEATURES = ("cosine", "passage", "fused_gap", "rank", "coverage", "translated", "states", "heading",
            "length", "other_language", "off_place", "cosine_gap", "coverage_gap", "cosine_across")


#: a notice's addressee line: "各省、自治区、直辖市及新疆生产建设兵团医保局、卫生健康委："
ADDRESSEE_LINE = re.compile(r"^\s*各[^。；;：:]{2,120}[：:]\s*$")


#: a limit set in words, as a policy sets one by another rule: "可不高于简易续约规定的降幅", "no more than"
BOUND = re.compile(r"不高于|不超过|不得超过|不低于|不得低于|不多于|不少于|"
                   r"\bno (?:more|higher|greater|less|lower) than\b|\bnot (?:to )?exceed\b|\bcapped at\b",
                   re.I)


def strip_footnotes(text: str) -> str:
    return FOOTNOTE.sub("", text).strip()


@dataclass(eq=False)  # a piece is itself: fit_answer finds chosen pieces in the list by identity
class Piece:
    """One candidate answer sentence of hit `hit` (index into the hits): `text` as the answer quotes it
    (the source's footnote markers stripped), `quote` as it stands in the passage (for highlighting)."""

    hit: int
    text: str
    quote: str
    places: frozenset[str]
    states: bool
    off_place: bool
    features: np.ndarray = field(repr=False)  # a row of the question's feature array (_add_gaps)
    score: float = 0.0
    #: (text, quote) of the whole sentence when this piece is part of one cut at commas for length
    whole: tuple[str, str] | None = None
    counts: bool = False  # a number stands right before the thing a count question counts
    roster: bool = False  # it lists people (text/people.py)
    defines: bool = False  # it defines the term a definition question asks about ("…目录(以下称医保目录)")
    addressed: bool = False  # a notice's addressee line, for a question on whom it was sent to
    bounds: bool = False  # it sets a limit ("不高于…规定的降幅", "no more than"), for a question for one
    follows_best: bool = False  # a figure lead right after the best sentence, its subject (Assessor._ranked)
    dateline: bool = False  # the source's dateline, a piece only of a question for the publication date
    named: bool = False  # it writes in characters a name the question romanises (梁峻彬: "Liang Junbin")


def _long_enough(text: str) -> bool:
    return len(CJK.findall(text)) >= 6 or len(_WORD.findall(text)) >= 4


@dataclass(frozen=True)
class _Part:
    """What a piece is whatever the question: cached per passage, as passages recur across questions."""

    sentence: int  # index of the stored sentence it comes from
    text: str
    quote: str
    tokens: frozenset[str]
    places: frozenset[str]
    lang: str
    heading: float
    whole: tuple[str, str] | None = None
    roster: bool = False
    dateline: bool = False


class Evidence:
    """Finds and scores the pieces of a question's top passages."""

    def __init__(self, retriever, passages: int = 5) -> None:
        self.retriever = retriever
        self.passages = passages
        index = retriever.index
        self._row = {chunk.chunk_id: row for row, chunk in enumerate(index.chunks)}
        self._titles = {_flat(d.meta.title) for d in index.documents.values()}
        self._doc_text = {doc_id: d.meta.about for doc_id, d in index.documents.items()}
        self._parts = functools.lru_cache(maxsize=65536)(self._split)
        self._passage_tokens = functools.lru_cache(maxsize=65536)(
            lambda row: frozenset(retriever.tokens(index.chunks[row].text)))

    def pieces(self, question: str, facts: QuestionFacts, hits, query: np.ndarray) -> list[Piece]:
        terms = _content_terms(self.retriever.term_weights(question), facts)
        translated = self.retriever.translated_terms(question)
        if facts.counted:
            facts = facts.with_translations((t.source, t.forms) for t in self.retriever.translate(question))
        top = hits[0].score if hits else 0.0
        taken: list[tuple[int, _Part, bool, bool]] = []  # (hit, part, states, off)
        rows: list[list[float]] = []  # the features, made one array at the end (an array a piece cost more)
        for i, hit in enumerate(hits[: self.passages]):
            row = self._row[hit.chunk_id]
            parts, n = self._parts(row)
            cosines = self.retriever.sentence_cosines(row, n, query)
            for part in parts:
                if part.dateline and not facts.published:
                    continue
                off = bool(facts.places) and bool(part.places) and not (part.places & facts.places)
                states = facts.states(part.text)
                taken.append((i, part, states, off))
                rows.append([
                    cosines[part.sentence], hit.dense_score or 0.0, hit.score - top, i,
                    _coverage(terms, part.tokens), translated_share(translated, part.tokens),
                    float(states) if facts.typed else 0.5,
                    part.heading, math.log(len(part.text)), float(part.lang != facts.lang), float(off),
                    0.0, 0.0, cosines[part.sentence] if part.lang != facts.lang else 0.0,
                ])
        matrix = np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))
        _add_gaps(matrix, [part.places for _i, part, _states, _off in taken], facts)
        found = [Piece(i, part.text, part.quote, part.places, states, off, features, whole=part.whole,
                       roster=part.roster, dateline=part.dateline)
                 for (i, part, states, off), features in zip(taken, matrix, strict=True)]
        if facts.term:
            forms = [facts.term, *(form for t in self.retriever.translate(facts.term) for form in t.forms)]
            _mark_definitions(found, forms, person=facts.term == asked_person(question))
        for piece in found:
            piece.addressed = facts.addressees and bool(ADDRESSEE_LINE.match(piece.text))
            piece.bounds = facts.limit and bool(BOUND.search(piece.text))
        _prefer_counts(found, facts)
        _unknown_names(found, facts)
        if names := romanised_names(question):
            for piece in found:
                piece.named = names_romanised(piece.text, names)
        return found

    def _split(self, row: int) -> tuple[list[_Part], int]:
        """A passage's pieces and its number of sentences."""
        chunk = self.retriever.index.chunks[row]
        spans = split_sentences(chunk.text)
        document = self._doc_text.get(chunk.doc_id, "")
        parts = []
        for j, (start, end) in enumerate(spans):
            bullets = BULLET.split(chunk.text[start:end])
            for bullet in bullets:
                quote = _opening(bullet.strip(" -"))
                text = strip_footnotes(quote)
                dateline = bool(DATELINE.match(text)) and is_title_line(text, chunk.text, spans[j])
                if (_long_enough(text) or dateline) and not _QUESTION.search(text):
                    whole = whole_sentence(chunk.text, spans, j) if len(bullets) == 1 else None
                    about = places_about(text, chunk.text, document, chunk.places)
                    parts.append(_Part(j, text, quote, frozenset(self.retriever.tokens(text)), about,
                                       detect_language(text), self._heading(text, chunk.text, spans[j]),
                                       whole, is_roster(text), dateline))
        return parts, len(spans)

    def prepare(self, rows: int) -> None:
        """Split the first `rows` passages into their candidate sentences, and gather their sentence vectors
        and keyword tokens, ahead of any question."""
        kept = self.retriever.sentence_rows.cache_parameters()["maxsize"]  # more would push out the first
        for row in range(min(rows, len(self.retriever.index.chunks))):
            n = self._parts(row)[1]
            if row < kept:
                self.retriever.sentence_rows(row, n)
            self._passage_tokens(row)

    def tokens_of(self, chunk_id: str) -> frozenset[str]:
        """Every keyword token of a passage (for the decline model's coverage of the question)."""
        return self._passage_tokens(self._row[chunk_id])

    def _heading(self, text: str, passage: str, span: tuple[int, int]) -> float:
        return float(is_heading(text) or _flat(text) in self._titles or is_title_line(text, passage, span))


def whole_sentence(text: str, spans: list[tuple[int, int]], j: int) -> tuple[str, str] | None:
    """Sentence j with the other pieces of its sentence, when sentence splitting cut one overlong sentence
    at commas (text/sentences.py): a lead quotes whole sentences, not "and the Market Supervision
    Administration jointly released the plan" without the departments before it, nor a head that stops
    at a comma. Within WHOLE_CHARS, the pieces before j come first (they hold the subject); a sentence
    longer than that is quoted from where it was cut with a leading "…" (the quote itself, for
    highlighting, stays an exact slice), and one that ends at a comma gets its "…" when it is written out."""
    first = last = j
    while (first > 0 and _cut_after(text, spans[first - 1])
           and spans[j][1] - spans[first - 1][0] <= WHOLE_CHARS):
        first -= 1
    last = _extended(text, spans, first, j, WHOLE_CHARS)
    if _LIST_OPENS.search(text[spans[first][0] : spans[last][1]]):
        last = _extended(text, spans, first, last, LIST_CHARS)
    opens_mid = first > 0 and _cut_after(text, spans[first - 1])
    if first == last and not opens_mid:
        return None
    quote = _opening(text[spans[first][0] : spans[last][1]])
    shown = strip_footnotes(quote)
    if opens_mid:
        shown = ("… " if shown[:1].isascii() else "…") + shown
    return shown, quote


def _extended(text: str, spans: list[tuple[int, int]], first: int, last: int, limit: int) -> int:
    """The last piece of the sentence cut at commas that pieces first..last begin, within `limit`
    characters of piece first."""
    while (last + 1 < len(spans) and _cut_after(text, spans[last])
           and spans[last + 1][1] - spans[first][0] <= limit):
        last += 1
    return last


def _opening(text: str) -> str:
    """Without a closing quote or bracket left at its start: a source's stray "... data. ”The person in
    charge said ..." closes the sentence before, and a lead should not open with it."""
    return text.lstrip("”’」』）) \u3000")


def _cut_after(text: str, span: tuple[int, int]) -> bool:
    """Whether sentence splitting cut an overlong sentence right after this span: it ends at a comma or
    colon and no line break follows (a letter's "各省…医保局、卫生健康委:" line is not part of the next)."""
    return bool(_CUT.search(text[span[0] : span[1]])) and "\n" not in text[span[1] : span[1] + 2]


def is_title_line(text: str, passage: str, span: tuple[int, int]) -> bool:
    """A line of its own without a closing stop, however long: a title ("Guangdong Province's Action Plan
    for … (2021–2025)") or a byline names the subject and answers nothing about it."""
    before, after = passage[: span[0]].rstrip(" \t"), passage[span[1]:].lstrip(" \t")
    return (not before or before.endswith("\n")) and (not after or after.startswith("\n")) \
        and not _END.search(text) and len(text) < 200


def is_heading(text: str) -> bool:
    """Headings echo the question's words but answer nothing: a short line without a closing stop, or a
    numbered one ("(六)合理确定创新药医保支付标准。")."""
    return len(text) < 60 and (not _END.search(text) or bool(NUMBERED.match(text)))


def defines(sentence: str, term: str) -> bool:
    """Whether a sentence introduces or explains a term: "…药品目录(以下称医保目录)", "(hereinafter
    referred to as "NRDL")", "X refers to …", "X是指…"."""
    t = re.escape(term)
    return bool(re.search(
        rf"(?:以下简称|以下称|下称|简称)\s*[“\"「]?{t}|hereinafter(?:\s+referred\s+to\s+as)?[\s,]*[“\"]?{t}|"
        rf"(?<![\w-]){t}[”\"」]?\s*(?:\([^)]*\)\s*)?(?:是指|指的是|\brefers\s+to\b|\bmeans\b|\bis\s+defined\s+as\b)|"
        # 'also known as a "biobank," is a ...'; '"four highs and one long"—high technology, ...'
        rf"\b(?:also\s+)?(?:known\s+as|called)\s+(?:an?\s+|the\s+)?[“\"]?{t}[,，]?[”\"]?[,，]?\s+(?:is|are)\b|"
        rf"[“\"「]{t}[”\"」]\s*(?:——|—|–|:|：)",
        sentence, re.I))


def introduces(sentence: str, name: str) -> bool:
    """Whether a sentence introduces a person by role: "Song Yuqin, Vice President of Peking University
    Cancer Hospital, …", 省委副书记、省长孟凡利."""
    n = re.escape(name)
    return bool(re.search(
        rf"(?<![\w-]){n}\s*[,，]\s*(?:the\s+)?(?:[A-Z][\w-]*\s+){{0,4}}(?:of|at|from)\b|"
        rf"(?:书记|省长|市长|主任|局长|院长|董事长|总经理|主席|部长|厅长|负责人|教授)[、，]?{n}", sentence))


def _mark_definitions(found: list[Piece], forms: list[str], person: bool) -> None:
    """A definition question's term, or a "who is X?" question's name (`person`), is answered first by
    the sentence that introduces it."""
    test = introduces if person else defines
    for piece in found:
        piece.defines = any(test(piece.text, form) for form in forms if form)


def _prefer_counts(found: list[Piece], facts: QuestionFacts) -> None:
    """When some sentence gives a number of the counted thing ("12 Class I new drugs"), a sentence with
    some other number ("3,900 companies") no longer states the count asked."""
    counts = [facts.counts(p.text) for p in found]
    if not any(counts):
        return
    column = FEATURES.index("states")
    for piece, count in zip(found, counts, strict=True):
        piece.states = piece.counts = bool(count)
        piece.features[column] = float(piece.states)


def _unknown_names(found: list[Piece], facts: QuestionFacts) -> None:
    """A person question whose passages name nobody the name patterns know (text/people.py finds the
    names of news prose, not every name) is ranked as any other question: the kind cannot tell."""
    if facts.kind != "person" or any(p.states for p in found):
        return
    column = FEATURES.index("states")
    for piece in found:
        piece.states = True
        piece.features[column] = 0.5


def _add_gaps(matrix: np.ndarray, places: list[frozenset[str]], facts: QuestionFacts) -> None:
    """Fill in the features relative to the question's best piece (a row of `matrix` a piece, `places` what
    each is about): a sentence is good by comparison with those that may answer, which are the pieces
    about the asked place when some are (selection.choose)."""
    if not len(matrix):
        return
    rivals = np.array([bool(about & facts.places) for about in places]) if facts.places else None
    if rivals is None or not rivals.any():
        rivals = np.ones(len(matrix), dtype=bool)
    for name, source in (("cosine_gap", "cosine"), ("coverage_gap", "coverage")):
        column = matrix[:, FEATURES.index(source)]
        matrix[:, FEATURES.index(name)] = column - column[rivals].max()


def _flat(text: str) -> str:
    return "".join(text.split()).lower()


def _content_terms(terms: dict[str, float], facts: QuestionFacts) -> dict[str, float]:
    """The question's terms less the places it names: the asked place already decides which pieces may
    answer (selection.choose), so "the Hainan government has introduced policies" should not outrank the
    Hainan sentence that gives the figures for matching the word Hainan."""
    if not facts.places:
        return terms
    content = {t: w for t, w in terms.items() if not places_named(t)}
    return content or terms


def _coverage(terms: dict[str, float], tokens: set[str]) -> float:
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in tokens) / total if total else 0.0


def translated_share(translated: tuple[tuple[tuple[frozenset[str], ...], float], ...],
                     tokens: frozenset[str] | set[str]) -> float:
    """Weighted share of the question's translated terms whose other-language form (any of them: a set of
    tokens) the piece has: glossary terms count fully, dictionary words at their lower weight."""
    total = sum(weight for _forms, weight in translated)
    found = sum(weight for forms, weight in translated if any(map(tokens.issuperset, forms)))
    return found / total if total else 0.0
