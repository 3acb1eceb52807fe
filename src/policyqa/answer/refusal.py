"""When the documents are taken not to answer: no passage, too far, or a place none names."""

from __future__ import annotations

from ..records import Hit
from ..text.places import PROVINCE_OF, places_named


def declines(hits: list[Hit], min_score: float) -> bool:
    """The documents are taken not to answer when even the closest passage is semantically far.

    Uses the dense cosine of the best passage whatever the mode, because BM25 and fused scores have no
    fixed scale; `min_score` is calibrated on the eval set's unanswerable questions.
    """
    best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
    return best is None or best < min_score


def uncovered_places(question: str, hits: list[Hit], index) -> list[str]:
    """Places the question names that none of the passages, their titles or their regions mention.

    A passage about a city covers its province too (not the other way round): a Guangzhou report that
    gives "the province's" figures answers a question about Guangdong.
    """
    asked = places_named(question)
    if not asked:
        return []
    covered: set[str] = set()
    for hit in hits:
        covered |= places_named(hit.text)
        document = index.documents.get(hit.doc_id) if index is not None else None
        if document is not None:
            meta = document.meta
            covered |= places_named(" ".join((meta.title, meta.title_alt, meta.region, meta.issuer)))
    covered |= {PROVINCE_OF[place] for place in covered if place in PROVINCE_OF}
    return sorted(asked - covered)


def refusal(question: str, hits: list[Hit], min_score: float, index=None) -> str:
    """Why the documents are taken not to answer: '' (they may), 'no_hits', 'score' or 'place'."""
    if not hits:
        return "no_hits"
    if declines(hits, min_score):
        return "score"
    if uncovered_places(question, hits, index):
        return "place"
    return ""
