"""Document metadata: `documents.yaml` when the corpus has it, else inferred from the text."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from ..records import DocumentMeta
from ..text.language import document_languages
from ..text.places import NATIONAL_BODIES, english_name, places_named

METADATA_FILE = "documents.yaml"

_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def find_date(text: str) -> str:
    """First date near the top, ISO-formatted, or '' when none is found."""
    match = _DATE.search(text[:600])
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def infer_meta(doc_id: str, clean_text: str, raw_text: str) -> DocumentMeta:
    """Metadata for a document nobody described: first line as title, the region its title names, detected
    languages, a found date."""
    first = next((line.strip() for line in clean_text[:4096].splitlines() if line.strip()), doc_id)
    title = first.lstrip("# ")[:200]
    return DocumentMeta(
        doc_id=doc_id,
        title=title,
        region=title_region(title),
        languages=document_languages(clean_text),
        date=find_date(raw_text),
    )


def title_region(title: str) -> str:
    """The region a title names, as documents.yaml would declare it: its one place ('上海市支持创新药发展若干
    措施' -> 'Shanghai'), or 'national' for a national body's or the country's document; '' when it names
    none or several. Without it a region filter refused a user's Shanghai plan ("no document's region
    matches 'Shanghai'") that the places filter and the comparison rows found."""
    places = places_named(title)
    if len(places) == 1:
        return english_name(places.pop())
    if not places and (NATIONAL_BODIES.search(title) or "全国" in title):
        return "national"
    return ""


def load_metadata(corpus_dir: Path) -> dict[str, DocumentMeta]:
    """`documents.yaml`: a list of {file, id, title, ...}; keyed by the file's path relative to the corpus."""
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    result = {}
    for entry in entries:
        entry = dict(entry)
        file = entry.pop("file")
        entry["doc_id"] = entry.pop("id")
        entry["date"] = str(entry.get("date", ""))
        result[file] = DocumentMeta(**entry)
    return result


def doc_id_for(relative: Path) -> str:
    """A stable id from the file's path: the same file always gets the same id."""
    stem = relative.with_suffix("").as_posix()
    slug = re.sub(r"[^\w\-]+", "-", stem, flags=re.UNICODE).strip("-").lower()
    return slug or hashlib.sha1(stem.encode()).hexdigest()[:12]


def assign_doc_ids(paths: Iterable[str], recorded: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    """Each file's document id, unique in the index and kept from one ingest to the next.

    `paths` are the corpus files (relative, POSIX), `recorded` the ids the index holds for files it has
    (path -> id), `given` the ids `documents.yaml` sets. A file keeps its recorded id, so a newcomer never
    takes an indexed document's id: `notice.md` beside an indexed `notice.txt` becomes `notice-md`, and
    `My Notice.txt` beside `my-notice.txt` gets a hash of its path (`my-notice-1a2b3c4d`). Only an id that
    documents.yaml sets and another file holds cannot be given: that file is left out of the result, and
    `id_holder` names who holds it.
    """
    paths = list(paths)
    wanted = {p: recorded[p] for p in paths if p in recorded and p not in given}
    kept = set(wanted)
    wanted.update((p, given[p]) for p in paths if p in given)
    holders: dict[str, str] = {}
    for path in sorted(wanted, key=lambda p: (p not in kept, p)):  # indexed files first, then given ids
        holders.setdefault(wanted[path], path)
    # new files; one whose name is its id already (my-notice.txt) before one that only slugs to it
    for path in sorted((p for p in paths if p not in wanted), key=lambda p: (not _names_its_id(p), p)):
        free = next((c for c in _id_candidates(path, holders) if c not in holders), None)
        if free is not None:
            holders[free] = path
    return {path: doc_id for doc_id, path in holders.items()}


def id_holder(path: str, ids: dict[str, str], given: dict[str, str]) -> tuple[str, str]:
    """(the id a file wanted, the file holding it) for a file `assign_doc_ids` could not give an id."""
    wanted = given.get(path) or doc_id_for(Path(path))
    holder = next((other for other, doc_id in ids.items() if doc_id == wanted), "another file")
    return wanted, holder


def _id_candidates(relative: str, holders: dict[str, str]) -> Iterator[str]:
    """Ids for a file, most readable first: its path slug; with its type when the slug's holder is of
    another type (notice-md); with a hash of its path."""
    base = doc_id_for(Path(relative))
    yield base
    suffix = Path(relative).suffix.lower().lstrip(".")
    if suffix and Path(holders.get(base, relative)).suffix.lower().lstrip(".") != suffix:
        yield f"{base}-{suffix}"
    yield f"{base}-{hashlib.sha1(relative.encode()).hexdigest()[:8]}"


def _names_its_id(relative: str) -> bool:
    return Path(relative).with_suffix("").as_posix() == doc_id_for(Path(relative))


def upload_time(path: Path) -> str:
    """When an upload was saved: its file's modification time (the upload writes a fresh copy), UTC."""
    stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")
