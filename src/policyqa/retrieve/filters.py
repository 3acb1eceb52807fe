"""Metadata filters, applied inside the search so top-k stays full."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from ..index.reader import Index
from ..records import DocumentMeta, Filters
from ..text.places import document_regions, english_name, region_of


def allowed_rows(index: Index, filters: Filters | None) -> np.ndarray | None:
    """Chunk rows that pass the filters (None = all), computed before the search so top-k stays full."""
    if filters is None or filters.is_empty():
        return None
    docs = [d for d in index.documents.values() if doc_matches(d.meta, filters)]
    rows = [index.rows_by_doc.get(d.meta.doc_id, np.zeros(0, dtype=np.int64)) for d in docs]
    allowed = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    if filters.languages:
        langs = set(filters.languages)
        allowed = np.asarray([r for r in allowed if index.chunks[r].lang in langs], dtype=np.int64)
    if filters.places:
        places = {region_of(p) for p in filters.places}
        allowed = np.asarray([r for r in allowed if places & set(index.chunks[r].places)], dtype=np.int64)
    return np.sort(allowed)


def doc_matches(meta: DocumentMeta, filters: Filters) -> bool:
    """Region and issuer match by case-insensitive substring ('Guangdong' matches 'Guangdong; Guangzhou'),
    and a province also its cities' documents (region_matches).
    A date bound counts to its own precision: --date-to 2025 keeps 2025-07-08 (compared whole, it was
    later than '2025', so 2025 to 2025 matched nothing)."""
    if filters.doc_ids and meta.doc_id not in filters.doc_ids:
        return False
    if filters.regions and not any(region_matches(r, meta.region) for r in filters.regions):
        return False
    if filters.issuers and not any(i.lower() in meta.issuer.lower() for i in filters.issuers):
        return False
    if filters.languages and not set(filters.languages) & set(meta.languages):
        return False
    if filters.date_from and (not meta.date or meta.date < filters.date_from):
        return False
    return not (filters.date_to and (not meta.date or meta.date[: len(filters.date_to)] > filters.date_to))


def region_matches(asked: str, region: str) -> bool:
    """Whether a region filter value matches a document's declared region: by case-insensitive substring,
    or, for a province, a city in it ('Guangdong' keeps the Guangzhou conference's report, which holds the
    province's own listing measures; 'Guangzhou' does not keep Guangdong's plan). A Chinese name asks for
    its English one (广东 for Guangdong, 全国 for National), as the places filter and comparison rows do."""
    asked = english_name(asked)
    province = region_of(asked)
    return asked.strip().lower() in region.lower() or (
        province.lower() == asked.strip().lower() and province in document_regions(region))


#: values a refused filter lists before '… and N more'
SHOWN = 12


def filter_problem(index: Index, filters: Filters | None) -> str:
    """Why the filters can never match in this index, naming the values it holds ('' when they can).

    A search with such a filter silently found nothing ('no passages found'), as if the documents did not
    cover the question: a misspelt document id or region, a place no passage is about, or filters that
    each match but never together."""
    if filters is None or filters.is_empty():
        return ""
    docs = [d.meta for d in index.documents.values()]
    unknown = [d for d in filters.doc_ids if d not in index.documents]
    if unknown:
        return f"no document has the id {unknown[0]!r}; this index holds {_listed(d.doc_id for d in docs)}"
    regions = [r for r in filters.regions if not any(region_matches(r, d.region) for d in docs)]
    if regions:
        names = (name for d in docs for name in _region_names(d.region))
        return f"no document's region matches {regions[0]!r}; this index holds {_listed(names)}"
    tagged = set().union(*index.places_by_doc.values()) if filters.places else set()
    places = [p for p in filters.places if region_of(p) not in tagged]
    if places:
        return (f"no passage is about the place {places[0]!r}; this index holds {_listed(tagged)} "
                "(English or Chinese names)")
    rows = allowed_rows(index, filters)
    if rows is not None and not len(rows):
        given = ", ".join(name for name, value in filters if value)
        dates = sorted(d.date for d in docs if d.date) if filters.date_from or filters.date_to else []
        span = f"; its documents are dated {dates[0]} to {dates[-1]}" if dates else ""
        return f"no passage passes these filters ({given}): drop or widen one{span}"
    return ""


def _region_names(region: str) -> list[str]:
    """The names in a document's region ('multiple (Guangdong, Sichuan/Chengdu)' -> Guangdong, Sichuan,
    Chengdu): each matches it as a region filter."""
    inside = region.split("(", 1)[1] if "(" in region else region
    return [name.strip() for name in re.split(r"[;,/()]", inside) if name.strip()]


def _listed(values: Iterable[str]) -> str:
    """Distinct values, sorted, the first SHOWN of them and how many more."""
    distinct = sorted({v.lower(): v for v in values}.values(), key=str.lower)
    more = f" and {len(distinct) - SHOWN} more" if len(distinct) > SHOWN else ""
    return ", ".join(distinct[:SHOWN]) + more
