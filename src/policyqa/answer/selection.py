"""Choosing the answer's sentences: the lead, then the few that support it.

A linear model over the evidence features (answer/evidence.py) scores every piece; its weights are
settings, fitted by eval/fit_answer.py. The lead is the best piece that meets the question's place and
answer kind; supporting pieces must score within a margin of it and meet the same constraints.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from ..text.people import pinyin
from .evidence import ADDRESSEE_LINE, DATELINE_SOURCE, FEATURES, NUMBERED, Piece
from .facts import QuestionFacts
from .kinds import YEAR

_HEADING = FEATURES.index("heading")


def score(pieces: list[Piece], weights: dict[str, float]) -> None:
    w = np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)
    for piece in pieces:
        piece.score = float(piece.features @ w)


def choose(facts: QuestionFacts, pieces: list[Piece], max_sentences: int, margin: float,
           one_per_passage: bool = False) -> list[Piece]:
    """The lead and up to `max_sentences - 1` supporting pieces, best first; none off the question's place,
    and only pieces about it when the question names a place that some piece is about. `one_per_passage`:
    each supporting piece from a passage not quoted yet (a comparison's row sums up its region's passages)."""
    usable = [p for p in pieces if not p.off_place and not p.dateline]
    if not facts.may_list_people:  # a list of speakers answers who spoke or how many, not what was said
        usable = [p for p in usable if not p.roster or p.counts or p.named
                  or (facts.unit == "people" and p.states)] or usable
    if facts.places:
        usable = [p for p in usable if p.places & facts.places] or usable
    # "若干措施2025有多少个部门…" is not answered by "In 2024, … nine other departments"; a year that
    # dates the asked figure ("approved in 2024") is the decline's to check (Assessor: 'year')
    if facts.years and not facts.dated:
        usable = [p for p in usable if not _other_years_only(p.text, facts.years)] or usable
    usable.sort(key=lambda p: -p.score)
    if not usable:
        return []
    # "What is the NRDL?" is answered by the sentence that introduces it, "若干措施有多少条？" by the one that
    # counts the measures ("launching 32 new measures"), "Which companies spoke?" by the list of speakers,
    # whatever else scores higher
    usable.sort(key=lambda p: not (p.defines or p.counts or p.addressed
                                   or (p.roster and (p.named or facts.speakers))))
    lead = usable[0]
    chosen = [lead]
    # a figure for another measure or procedure does not support one for the asked: "北京临床试验审批时限…"
    # is answered by 60 -> 30 days, not also by a supplementary application's 200 -> 60
    measured = facts.strict and facts.names_measure(lead.text)
    for piece in usable:
        if len(chosen) == max_sentences or piece.score < lead.score - margin:
            break
        if piece is lead or (facts.strict and not piece.states) or _numbered_heading(piece):
            continue
        if not facts.addressees and ADDRESSEE_LINE.match(piece.text):  # "各省、自治区…医保局、卫生健康委："
            continue
        if measured and not facts.names_measure(piece.text):
            continue
        if one_per_passage and any(c.hit == piece.hit for c in chosen):
            continue
        if not any(similar(piece.text, c.text) or _same_sentence(piece, c) for c in chosen):
            chosen.append(piece)
    chosen = _figure_first(facts, chosen, pieces)
    if not facts.strict:
        chosen = _continued(chosen, pieces, max_sentences)
    for piece in chosen:  # a part cut for length quotes its sentence: "... drugs, [1]" reads as a fragment
        if piece.whole:
            piece.text, piece.quote = piece.whole
    return chosen


def _numbered_heading(piece: Piece) -> bool:
    """A numbered heading ("(十)推动创新药加快进入定点医药机构。", "二、支持创新药进入…目录") names a topic
    and says nothing of it: it may lead, when it is the best there is, but does not support a lead."""
    return piece.features[_HEADING] > 0 and bool(NUMBERED.match(piece.text))


def _figure_first(facts: QuestionFacts, chosen: list[Piece], pieces: list[Piece]) -> list[Piece]:
    """A figure asked for is led by the sentence right after a lead that states none, when that one states
    it: "How long did it take…?" is answered by "In just 19 working days, …", which follows the sentence
    that says what was done (and stays second)."""
    lead = chosen[0]
    if facts.kind != "quantity" or lead.states:
        return chosen
    follower = _follower(lead, pieces)
    if follower is None or not follower.states or follower.off_place:
        return chosen
    return [follower, *(p for p in chosen if p is not follower)]


def _follower(piece: Piece, pieces: list[Piece]) -> Piece | None:
    """The piece that follows `piece` in its passage (the next sentence, not another part of its own)."""
    at = next(i for i, p in enumerate(pieces) if p is piece)
    return next((p for p in pieces[at + 1 :] if p.hit == piece.hit and not _same_sentence(p, piece)), None)


#: a sentence that announces what the next one says: "…, they will play an important role in three
#: dimensions.", "主要包括以下几个方面：", "The measures are as follows:"
ANNOUNCES = re.compile(
    r"(?:[:：]|\b(?:as follows|the following)\s*[.:]?|"
    r"\b(?:in|on|from|of|into|has|have|are|include|includes|covers?)\s+(?:the\s+following\s+|"
    r"(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+)(?:[a-z-]+\s+)?"
    r"(?:dimensions|aspects|ways|areas|respects|parts|points|categories|directions|fields|tasks|steps|"
    r"stages|levels|pillars|priorities)\s*[.:]?|"
    # not "(以下称医保目录)。", which names a term
    r"[两二三四五六七八九十几]个?(?:方面|维度|领域|部分|环节|层面|方向)(?:的?(?:工作|内容|措施|任务))?[：:。]?)"
    r"\s*[”’」』）)\"']*$", re.I)


def _continued(chosen: list[Piece], pieces: list[Piece], max_sentences: int) -> list[Piece]:
    """Each chosen piece that announces what follows ("… play an important role in three dimensions.")
    with the piece that follows it in its passage ("One is to …; Secondly, …; The third is …") right
    after it: the announcement alone names nothing of what it announces."""
    out: list[Piece] = []
    for piece in chosen:
        if piece in out:
            continue
        out.append(piece)
        if not ANNOUNCES.search(piece.whole[0] if piece.whole else piece.text):
            continue
        follower = _follower(piece, pieces)
        if follower is not None and not follower.off_place and follower not in out:
            out.append(follower)
    return out[:max_sentences]


def _same_sentence(a: Piece, b: Piece) -> bool:
    """Whether one piece would quote the other's text (two parts of one long sentence quote it once), or
    its own part: two windows of a sentence too long to quote whole overlap."""
    x, y = (p.whole[0] if p.whole else p.text for p in (a, b))
    return x in y or y in x or a.text in y or b.text in x


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[^\W_]+")


def _bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese text, word bigrams of the rest: English sentences share most of
    their character bigrams ("th", "in", "on") whatever they say."""
    grams = {run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(max(1, len(run) - 1))}
    segments = [_WORD.findall(segment) for segment in _CJK_RUN.split(text.lower())]
    grams |= {f"{x} {y}" for words in segments for x, y in itertools.pairwise(words)}
    return grams or {word for words in segments for word in words}


def similar(a: str, b: str, threshold: float = 0.7) -> bool:
    """Near-duplicates: most bigrams (of characters in Chinese, of words otherwise) of the shorter text are
    in the longer one."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, min(len(x), len(y))) >= threshold


def lead_with_dateline(chosen: list[Piece], pieces: list[Piece], documents: list[str],
                       max_sentences: int, named: Piece | None = None, signed: bool = False) -> list[Piece]:
    """A question for when a report came out ("报道发布于哪一天？") is answered by its dateline: `named`, the
    dateline naming the source the question names ("Mei Ri Jing Ji Xin Wen· 2025-08-14", `named_dateline`),
    else the best dateline of the lead's document or, for a notice's own date (`signed`) when it has none,
    of the best passage's (`documents[hit]` is each hit's doc_id), put before the sentences the evidence
    chose. The decision to answer was taken on those sentences: a bare date is no evidence that the
    passages are about the asked report, but a dateline naming the asked source is."""
    if named is not None:
        return [named, *chosen][:max_sentences]
    if not chosen:
        return chosen
    usable = [p for p in pieces if p.dateline and not p.off_place]
    # the lead's document, else for a notice's own date the best passage's: "On what date was the NHSA
    # and NHC circular … signed off?" is led by a digest's "In June 2025, the NHSA and the National Health
    # Commission jointly issued …", while the circular's own header, the best passage, dates it to the day
    datelines = [p for p in usable if documents[p.hit] == documents[chosen[0].hit]] or \
        [p for p in usable if signed and documents[p.hit] == documents[0]]
    if not datelines:
        return chosen
    return [max(datelines, key=lambda p: p.score), *chosen][:max_sentences]


def titled_dateline(chosen: list[Piece], pieces: list[Piece], documents: list[str]) -> Piece | None:
    """For a notice's own date: the best passage's dateline when the lead is that document's own title or
    heading line (国家医保局通知是哪天印发的？ is led by 国家医保局国家卫生健康委关于印发《…》的
    通知): the title says the passages are about the asked notice, which is what the sentences were to
    decide, and the dateline dates it ("2025年6月30日"); the title alone answered nothing: declined."""
    if not chosen or chosen[0].features[_HEADING] <= 0 or documents[chosen[0].hit] != documents[0]:
        return None
    own = [p for p in pieces if p.dateline and not p.off_place and documents[p.hit] == documents[0]]
    return max(own, key=lambda p: p.score, default=None)


def named_dateline(question: str, pieces: list[Piece]) -> Piece | None:
    """The dateline whose source the question names, in its letters ("On what date did the National
    Business Daily (Mei Ri Jing Ji Xin Wen) report …?") or in characters (《海南日报》, which the digest's
    dateline romanises "Hai Nan Ri Bao"): a digest holds one dateline per news item."""
    asked = _letters(question) + "".join(pinyin(title) for title in _TITLED.findall(question))
    for piece in pieces:
        source = _letters(DATELINE_SOURCE.sub("", piece.text)) if piece.dateline else ""
        if len(source) >= 8 and source in asked:
            return piece
    return None


#: a name in title marks (《海南日报》)
_TITLED = re.compile(r"《([^》]{2,20})》")


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _other_years_only(text: str, years: frozenset[str]) -> bool:
    """Whether a sentence names years, none of them one the question names."""
    named = set(YEAR.findall(text))
    return bool(named) and not named & years
