"""Metadata filters, applied inside the search so top-k stays full."""

from __future__ import annotations

from ..records import Filters


def _doc_matches(meta, filters: Filters) -> bool:
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
