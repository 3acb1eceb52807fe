"""Whether the documents answer a question: a calibrated decision, and what is missing when they do not.

`Assessor.assess` gathers a question's evidence once (its answer kind, places and years; the candidate
sentences of the top passages, scored and chosen) and decides:
- 'no_hits': nothing was retrieved;
- 'place': the question names places and no passage is about any of them (a city's own name counts,
  not the province it implies: Hubei passages are not about Wuhan), or names a country or
  regulator abroad (text/places.ABROAD), or a city beyond text/places.PLACES (text/cities.py), that no
  passage mentions;
- 'drug': the question names a drug (text/drugs.py) that no passage mentions: a general pricing rule
  is no answer about ivonescimab;
- 'body': the question names a national body or a Hong Kong or Macao regulator (text/bodies.py: 财政部,
  the Ministry of Finance, 香港卫生署) that no passage mentions in either language: the NHSA's sentences
  on the catalogue's funding are no answer on what the Ministry of Finance does;
- 'year': the question dates what it asks for by a year (2020年, "in 2026", "target for 2030"), and the
  chosen sentences date theirs by other years only (answer/dating.py: a sentence with no year by its
  document title's year): a figure for 2019 does not answer for 2020, nor a target for 2027 one for 2030,
  nor the 2025 conference's attendance the 2024 edition's;
- 'city': the question asks for a figure and names cities only, and the chosen sentences speak for
  their province, none for a city asked: Guangdong's figure does not answer for Foshan;
- 'figure': the question asks for a quantity and the lead, the best sentence there is, states no figure
  in the asked unit, or states a count only by a label's or a day's number ("Level 3 (P3) labs", "On
  December 7"): "平均降幅是多少？" is not answered by "通过协商合理确定…结算价" (setting
  decline_without_figure; off, such an answer quotes the lead with a note that no figure is given);
- 'where': the question asks where (a city when it asks which city: kinds.ASKS_CITY), and the lead names
  no place (no city), in a document that declares a region: "Where was the fifth … Conference held?" is
  not answered by what the conference highlighted, nor "哪个城市" by a plan for Southeast Asia;
- 'date': the question asks for a date (not for a point in a procedure, kinds.EVENT_TIME) and the lead
  states none, in a document that declares a region: "《若干措施》从哪天起正式施行？" is not answered by the
  notice's "现印发给你们";
- 'evidence': a logistic model over the evidence (how close the best passage and sentence are, whether
  the lead states the asked kind, whether the question's places, years and rare words are found, and
  whether it asks for a figure, which documents leave unsaid more often) gives an answer probability
  under the threshold, unless the lead counts what a count question counts ("launching 32 new
  measures" for "How many new measures…": on both question files every lead that did so answered an
  answerable question; an attendance only in a document about the event asked of), or defines the term
  a definition question asks about ('also known as a "biobank," is …' for "What exactly is a
  biobank?"). Model and threshold are fitted by
  eval/fit_answer.py on the read question files together and reported on unread ones. Its word
  features count a word in either language (the question's own or its glossary/dictionary
  translation), so a question asked in the other language than the documents is not doubted for that
  alone (XQuAD en->zh, 8 articles: declined 0.44 -> 0.24 with the same-language rows unchanged).
Places the question names that the chosen sentences leave uncovered make a partial answer, which says
what is missing.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..records import Hit
from ..settings import AnswerSettings
from ..text.bodies import unmentioned_bodies
from ..text.cities import cities_unmentioned
from ..text.drugs import unmentioned_drugs
from ..text.organisations import names_body
from ..text.people import names_romanised, romanised_spans
from ..text.places import (
    NATIONAL_BODIES,
    PROVINCE_OF,
    abroad_named,
    places_named,
    speaks_for,
    with_provinces,
)
from .dating import Dating
from .evidence import FEATURES, Evidence, Piece, translated_share
from .facts import QuestionFacts, analyse
from .scope import NATION_POLICY, Scopes
from .selection import choose, lead_with_dateline, named_dateline, score, titled_dateline

REFUSAL_FEATURES = ("dense", "fused", "best_cosine", "lead_cosine",
                    "lead_states", "places_found", "years_found", "lead_score", "unseen_terms",
                    "top_match", "lead_match", "asks_quantity")


@dataclass
class Assessment:
    """A question's evidence and the decision taken on it."""

    facts: QuestionFacts
    pieces: list[Piece]
    chosen: list[Piece]  # the lead first
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0
    reason: str = ""  # '' (answer), 'no_hits', 'place', 'drug', 'body', 'evidence', 'year', 'city', 'figure',
    # 'organisation', 'where' or 'date'
    #: asked, but in no chosen sentence (an answer's places) or in no passage found (the places of a
    #: 'place' refusal, the drugs of a 'drug' refusal)
    missing: list[str] = field(default_factory=list)
    #: the years the chosen sentences give instead of the asked ones (a 'year' refusal)
    other_years: list[str] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return bool(self.reason)


class Assessor:
    """Scores the evidence of a question's hits and decides whether it answers; one per retriever."""

    def __init__(self, retriever, settings: AnswerSettings) -> None:
        self.retriever = retriever
        self.settings = settings
        self.evidence = Evidence(retriever, settings.passages)
        #: the documents whose front matter declares a region (a province, a city, national)
        self._regional = {doc_id for doc_id, doc in retriever.index.documents.items() if doc.meta.region}
        #: the place a document of one region is about (Chinese name), with its province
        self._home = {doc_id: with_provinces(named) if len(named := places_named(doc.meta.region)) == 1
                      else frozenset() for doc_id, doc in retriever.index.documents.items()}
        #: the years a document's title spans ("… Action Plan … (2021-2025)"), for documents with one
        self.dating = Dating(retriever.index.documents)
        self.scopes = Scopes(retriever.index.documents)
        # the answerer and the extractive backend both ask for the same question's assessment
        self._recent: OrderedDict[tuple, Assessment] = OrderedDict()
        self._lock = threading.Lock()
        # what depends on the question alone, not on its hits: the same question is assessed again for
        # another backend, a region filter or a comparison's row
        self._carried = functools.lru_cache(maxsize=1024)(self._carried_tokens)
        self._bare_term = functools.lru_cache(maxsize=1024)(self._bare)

    def assess(self, question: str, hits: list[Hit], scope: frozenset[str] = frozenset()) -> Assessment:
        """The question's evidence in `hits` and the decision on it; with a `scope` (text/places.scope_of:
        the places a region filter stands for), only sentences about those places may answer."""
        key = (question, tuple((h.chunk_id, h.score) for h in hits), scope)
        with self._lock:
            if key in self._recent:
                return self._recent[key]
        assessment = self._assess(question, hits, scope)
        with self._lock:
            self._recent[key] = assessment
            while len(self._recent) > 64:
                self._recent.popitem(last=False)
        return assessment

    def _assess(self, question: str, hits: list[Hit], scope: frozenset[str]) -> Assessment:
        facts = analyse(question, one_region=self.settings.one_region)
        if not facts.term and (term := self._bare_term(question)):
            facts = facts.model_copy(update={"term": term})
        if not hits:
            return Assessment(facts, [], [], reason="no_hits")
        pieces, chosen = self._ranked(question, facts, hits, scope)
        features = self.features(question, facts, hits, pieces, chosen[0] if chosen else None)
        probability = answer_probability(features, self.settings.refusal_weights)
        chosen, other_years = self.dating.other_years(facts, chosen, hits)
        dateline = named_dateline(question, pieces) if facts.published else None
        if dateline is None and facts.signed:
            dateline = titled_dateline(chosen, pieces, [h.doc_id for h in hits])
        reason, missing = self._unmentioned(question, facts, hits, pieces) or self._unanswered(
            facts, hits, chosen, probability, other_years, dateline)
        if not reason:
            if facts.published:
                documents = [h.doc_id for h in hits]
                chosen = lead_with_dateline(chosen, pieces, documents, self.settings.max_sentences, dateline,
                                            facts.signed)
            reason, missing = self._partial(question, facts, hits, chosen)
        return Assessment(facts, pieces, chosen, features, probability, reason, missing, other_years)

    def _ranked(self, question: str, facts: QuestionFacts, hits: list[Hit],
                 scope: frozenset[str]) -> tuple[list[Piece], list[Piece]]:
        """The question's candidate sentences, scored, and the chosen ones (the lead first)."""
        s = self.settings
        pieces = self.evidence.pieces(question, facts, hits, self.retriever.encode_query(question))
        if not scope and not facts.places:
            # "What does the national policy say about …?" is not answered by a Guangzhou hospital
            scope = self.scopes.of(question)
        if scope:  # a Guangdong passage of a digest also tells national news: not Guangdong's answer
            for piece in pieces:
                tags = hits[piece.hit].citation.places
                piece.off_place = piece.off_place or not speaks_for(piece.text, tags, scope)
        score(pieces, s.sentence_weights)
        chosen = choose(facts, pieces, s.max_sentences, s.margin, s.one_per_passage)
        if chosen and facts.strict:
            chosen[0].follows_best = _follows_best(pieces, chosen[0])
        return pieces, chosen

    def _unmentioned(self, question: str, facts: QuestionFacts, hits: list[Hit],
                     pieces: list[Piece]) -> tuple[str, list[str]] | None:
        """('place' | 'drug' | 'body', what no passage mentions) when the question names a place, a drug or
        a body that no passage found is about; None otherwise."""
        found = set().union(*(p.places for p in pieces)) if pieces else set()
        texts = " ".join(h.text for h in hits[: self.settings.passages])
        abroad = abroad_named(question)
        unmentioned = abroad - abroad_named(texts) if abroad else set()
        if not facts.places:  # a city of a province the question names too is the province's to answer
            unmentioned |= cities_unmentioned(question, texts)
        asked = facts.places - _implied(facts)  # "Wuhan", not the Hubei it implies
        if (facts.places and not asked & found) or unmentioned:
            return "place", sorted(unmentioned or asked)
        if drugs := unmentioned_drugs(question, texts, self._translations):
            return "drug", sorted(drugs)
        if bodies := unmentioned_bodies(question, texts):  # "What does the Ministry of Finance fund?"
            return "body", sorted(bodies)
        return None

    def _unanswered(self, facts: QuestionFacts, hits: list[Hit], chosen: list[Piece], probability: float,
                    other_years: list[str], dateline: Piece | None) -> tuple[str, list[str]]:
        """Why the chosen sentences do not answer ('year', 'evidence', 'figure', 'organisation', 'where',
        'date'), or '' when they do; with nothing missing."""
        s = self.settings
        if other_years:  # before 'evidence': declined either way, this one says which years there are
            return "year", []
        if not chosen or (probability < s.refusal_threshold and not self._speaks_to(facts, chosen[0], hits)
                          and not dateline):
            return "evidence", []
        if s.decline_without_figure and facts.kind == "quantity" and not _gives_figure(chosen, facts):
            return "figure", []
        if facts.kind == "organisation" and not chosen[0].states:
            return "organisation", []
        if (facts.kind == "place" or (facts.calendar and not facts.published)) and not chosen[0].states \
                and hits[chosen[0].hit].doc_id in self._regional:
            # "Where was the fifth … Conference held?" is not answered by what the conference highlighted,
            # "《若干措施》从哪天起正式施行？" not by "…现印发给你们，请结合实际认真贯彻落实。". Judged
            # only in documents that declare a region: their places and dates are the ones the patterns
            # know, while an encyclopaedia answers "where" by "in agriculture" or "Konwiktorska Street"
            # and "when" by eras and events
            return ("where" if facts.kind == "place" else "date"), []
        if facts.body and not any(names_body(p.text) for p in chosen):
            # "Which company makes the test kit?" is not answered by "the launch of a test kit"
            return "organisation", []
        return "", []

    def _partial(self, question: str, facts: QuestionFacts, hits: list[Hit],
                 chosen: list[Piece]) -> tuple[str, list[str]]:
        """For an answer: the asked places its sentences leave out (a partial answer says so), or a decline
        ('city', 'evidence') when its figure is another place's."""
        asked = facts.places - _implied(facts)
        covered = set().union(*(p.places for p in chosen))
        # a document of one region speaks for it throughout: the Guangzhou conference's report, quoted
        # on who attended, gives that for Guangzhou though its sentence names only Guangdong's officials
        missing = sorted(asked - covered - self._homes(chosen, hits))
        # a figure asked of cities alone ("How many pharmaceutical companies are in Foshan's park?")
        # is not the province's figure ("top 100 national pharmaceutical companies" in Guangdong, "17.91
        # million people in the province"): a city is not its province. Other kinds may be answered
        # there ("Who spoke at the Guangzhou conference?" by a sentence naming Guangdong's government).
        # A city's own document gives its figures, unless the sentence speaks for the whole province:
        # the Guangzhou conference's "Suixinbao … covering 120 types of off-catalog innovative drugs"
        # is Guangzhou's, its "17.91 million people in the province were insured" is not
        cities = places_named(question)
        own = self._homes([p for p in chosen if not _PROVINCE_WIDE.search(p.text)], hits)
        if facts.kind == "quantity" and cities and all(c in PROVINCE_OF for c in cities) \
                and not cities & (covered | own) and {PROVINCE_OF[c] for c in cities} & covered:
            return "city", sorted(cities)
        # nor is a province's figure the national measures' one: "国家措施要求省级集采机构在多少个工作日内
        # 办完创新药挂网？" is not answered by Guangdong's "completing listing within … working days"
        if facts.kind == "quantity" and _NATIONAL.search(question) and not facts.places and not any(
                p.states and _national(p) for p in chosen):
            return "evidence", missing
        return "", missing

    def features(self, question: str, facts: QuestionFacts, hits, pieces: list[Piece],
                 lead: Piece | None) -> dict[str, float]:
        """What the decline model reads (REFUSAL_FEATURES)."""
        terms = self.retriever.term_weights(question)
        tokens = set(self.retriever.tokens(question))
        top = hits[: self.settings.passages]
        if facts.places and (about := [p for p in pieces if p.places & facts.places]):
            # only what is said about the asked place can answer: a national passage that matches every
            # word of "广东支持利用南海的什么资源…" is no evidence that Guangdong's passages answer it
            pieces, top = about, [top[i] for i in sorted({p.hit for p in about})]
        in_top = set().union(*(self.evidence.tokens_of(hit.chunk_id) for hit in top))
        ceiling = max(terms.values(), default=1.0)
        carried = self._carried(question) | self._names_found(question, top)
        # a place no passage is about makes the answer partial, and says so (Assessment.missing): its
        # name is neither unseen evidence nor a missing place when another asked place is found
        unseen = [t for t in tokens if t not in terms and t not in carried and not places_named(t)]
        total = sum(terms.values()) + ceiling * len(unseen)
        texts = " ".join(h.text for h in top)
        found = set().union(*(p.places for p in pieces))
        f = lead.features if lead is not None else np.zeros(len(FEATURES), dtype=np.float32)
        top_coverage = sum(w for t, w in terms.items() if t in in_top) / total if total else 0.0
        lead_coverage, lead_translated = (float(f[FEATURES.index(n)]) for n in ("coverage", "translated"))
        translated = self.retriever.translated_terms(question)
        return {
            "dense": top[0].dense_score or 0.0,
            "fused": top[0].score,
            "best_cosine": max((float(p.features[0]) for p in pieces), default=0.0),
            "lead_cosine": float(f[FEATURES.index("cosine")]),
            # names are found by patterns that miss many (text/people.py): a lead naming nobody they
            # know is no sign that the documents do not answer
            "lead_states": float(lead is not None and (lead.states or facts.kind == "person")),
            # some place the question names itself (not a province only implied by its city) is found
            "places_found": float(not facts.places or bool(facts.places - _implied(facts) & found)),
            "years_found": float(all(year in texts for year in facts.years)),
            "lead_score": lead.score if lead is not None else 0.0,
            "unseen_terms": len(unseen) / len(tokens) if tokens else 0.0,
            # a question in the other language than its passages meets them through translated terms:
            # coverage counts in either language, so a question is not doubted for its language
            "top_match": max(top_coverage, translated_share(translated, in_top)),
            "lead_match": max(lead_coverage, lead_translated),
            # what is asked: a figure is more often left unsaid than a measure or an aim (on the six read
            # question files 59% of quantity questions are unanswerable, 34% of the others)
            "asks_quantity": float(facts.kind == "quantity"),
        }

    def _speaks_to(self, facts: QuestionFacts, lead: Piece, hits: list[Hit]) -> bool:
        """A lead that is the asked thing's own kind of answer answers, whatever the model says: it defines
        the asked term, is the notice's addressee line, sets the asked limit in words, gives the figure of
        the best sentence right before it, or counts the asked thing; an attendance only in a document
        about the event asked of (the Guangzhou conference's 1,200 attendees count nobody at the
        governor's 座谈会). A count does not answer for a year no passage found gives: "How many
        innovative drugs did Hubei approve in 2023?" is not answered by the country's "204 innovative drugs
        approved since the start of the 14th Five-Year Plan" (audit, helper h68)."""
        if lead.defines or lead.addressed or lead.bounds or lead.follows_best:
            return True
        if lead.counts and facts.years:
            texts = " ".join(hit.text for hit in hits[: self.settings.passages])
            if not all(year in texts for year in facts.years):
                return False
        if not lead.counts or not facts.event:
            return lead.counts
        about = self.retriever.index.documents[hits[lead.hit].doc_id].meta.about.lower()
        return any(e in about for e in facts.event)

    def _homes(self, pieces: list[Piece], hits: list[Hit]) -> set[str]:
        """The places the pieces' documents are about, for the documents of one region."""
        return {place for p in pieces for place in self._home[hits[p.hit].doc_id]}

    def _bare(self, question: str) -> str:
        """A query that is one glossary term and nothing else ("NRDL", 商保创新药目录, 挂网) asks what it
        is: it is answered like "What is the NRDL?", by the sentence that introduces the term."""
        glossary = self.retriever.lexicon.glossary  # None when the glossary is switched off
        return glossary.whole_term(question.strip(" \t？?。.!！")) if glossary else ""

    def _names_found(self, question: str, top: list[Hit]) -> set[str]:
        """The tokens of the romanised names ("Meng Fanli") that a passage found writes in characters
        (孟凡利): like a translated word, such a name is no sign that the documents do not answer."""
        found: set[str] = set()
        for letters, written in romanised_spans(question).items():
            if any(names_romanised(hit.text, frozenset({letters})) for hit in top):
                found.update(self.retriever.tokens(written))
        return found

    def _translations(self, text: str) -> list[tuple[str, list[str]]]:
        return [(term.source, term.forms) for term in self.retriever.translate(text)]

    def _carried_tokens(self, question: str) -> frozenset[str]:
        """The question's tokens whose translation (glossary or dictionary) the corpus has: a question
        in one language over documents in the other has no word of its own in them, yet none is unseen."""
        lexical = self.retriever.index.lexical
        carried: set[str] = set()
        for term in self.retriever.translate(question):
            if any((tokens := self.retriever.tokens(form)) and all(lexical.knows(t) for t in tokens)
                   for form in term.forms):
                carried.update(self.retriever.tokens(term.source))
        return frozenset(carried)


def _follows_best(pieces: list[Piece], lead: Piece) -> bool:
    """Whether a figure lead is the sentence right after the best one of its passage, which states none:
    the best names what is asked about ("China Resources Shuanghe … submitted a supplementary application
    …") and the lead gives its figure ("In just 19 working days, …"), continuing it."""
    best = max(pieces, key=lambda p: p.score)
    after = pieces.index(best) + 1
    return not best.states and after < len(pieces) and pieces[after] is lead and lead.hit == best.hit


def _gives_figure(chosen: list[Piece], facts: QuestionFacts) -> bool:
    """Whether the answer states the asked figure: the lead states one, and some chosen sentence by a number
    that is no label nor day ("On December 7, the "2025 … Conference" … was held" gives no number of heads
    who attended it; fresh/fresh3: 2 more unanswerable questions declined, nothing else moved), and names
    what the asked sum measures (人均保费 is not answered by "claim payments reaching 976 million yuan")."""
    if chosen[0].bounds:  # "可不高于简易续约规定的降幅" sets the asked limit by another rule's
        return True
    return chosen[0].states and any(
        p.counts or (p.states and facts.states_figure(p.text)) for p in chosen) and any(
        p.states and facts.names_measure(p.text) for p in chosen)


#: a sentence that speaks for a whole province ("17.91 million people in the province", 全省)
_PROVINCE_WIDE = re.compile(r"全省|我省|本省|省内|\b(?:the|our|this) province\b|\bprovince-wide\b", re.I)

#: a question about the national measures (国家措施, "the NHSA/NHC measures") or a national body's figure
#: (国家药监局2025年批准上市的…: not Guangdong's target of "40 innovative medical device registration
#: approvals")
_NATIONAL = re.compile(NATION_POLICY + r"|\bNHSA/NHC\b|" + NATIONAL_BODIES.pattern, re.I)


def _national(piece: Piece) -> bool:
    """Whether a sentence speaks for the nation: it names no place and its passage is about none, or it
    names a national body ("In June 2025, the NHSA and the National Health Commission jointly issued …" in
    a Guangdong digest)."""
    return not places_named(piece.text) and (not piece.places or bool(NATIONAL_BODIES.search(piece.text)))


def _implied(facts: QuestionFacts) -> set[str]:
    """The provinces of the cities a question names: asked only through the city."""
    return {PROVINCE_OF[p] for p in facts.places if p in PROVINCE_OF}


def answer_probability(features: dict[str, float], weights: dict[str, float]) -> float:
    """The decline model: a logistic over the refusal features (`weights` include 'intercept')."""
    z = weights.get("intercept", 0.0) + sum(weights.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

