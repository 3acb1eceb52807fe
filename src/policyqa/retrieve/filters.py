"""Metadata filters, applied inside the search so top-k stays full."""

from __future__ import annotations

import numpy as np

from ..index.reader import Index
from ..records import DocumentMeta, Filters
from ..text.places import region_of


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
    """Region and issuer match by case-insensitive substring ('Guangdong' matches 'Guangdong; Guangzhou')."""
    if filters.doc_ids and meta.doc_id not in filters.doc_ids:
        return False
    if filters.regions and not any(r.lower() in meta.region.lower() for r in filters.regions):
        return False
    if filters.issuers and not any(i.lower() in meta.issuer.lower() for i in filters.issuers):
        return False
    if filters.languages and not set(filters.languages) & set(meta.languages):
        return False
    if filters.date_from and (not meta.date or meta.date < filters.date_from):
        return False
    return not (filters.date_to and (not meta.date or meta.date > filters.date_to))
