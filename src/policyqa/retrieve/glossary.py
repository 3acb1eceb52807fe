"""The bilingual glossary that turns a question's keywords into the other language's."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np


class Glossary:
    """Chinese <-> English policy terms that turn a question's keywords into the other language's.

    A line of a glossary file is `中文<TAB>english form|other form`. A Chinese term found in a question
    stands for all its English forms; an English form found as whole words (plural -s allowed) stands for
    the Chinese term. The packaged list covers pharmaceutical-policy vocabulary; `corpus/glossary.tsv`
    adds a corpus's own terms.
    """

    PACKAGED = "glossary.tsv"

    def __init__(self, entries: list[tuple[str, list[str]]]) -> None:
        self.entries = entries
        singulars = [[_singular(_unhyphenated(form.lower())) for form in forms] for _, forms in entries]
        #: every text that is one term or form and nothing else, lower-cased (a form with each ending)
        self._whole = {chinese.lower() for chinese, _ in entries} | {
            stem + ending for forms in singulars for stem, endings in forms for ending in endings}
        self._forms = [[stem for stem, _ending in forms] for forms in singulars]
        self._english = [
            re.compile("|".join(rf"(?<![a-z0-9]){re.escape(stem)}(?:{'|'.join(endings)})(?![a-z0-9])"
                                for stem, endings in forms))
            for forms in singulars
        ]

    @classmethod
    def load(cls, corpus_dir: Path | str | None = None) -> Glossary:
        """The packaged glossary, extended by `<corpus_dir>/glossary.tsv` when the corpus has one."""
        text = resources.files("policyqa").joinpath(cls.PACKAGED).read_text(encoding="utf-8")
        entries = _parse_glossary(text, cls.PACKAGED)
        extra = Path(corpus_dir) / "glossary.tsv" if corpus_dir else None
        if extra is not None and extra.is_file():
            entries += _parse_glossary(extra.read_text(encoding="utf-8"), str(extra))
        return cls(entries)

    def whole_term(self, text: str) -> str:
        """`text` itself when it is one glossary term and nothing else ("NRDL", 商保创新药目录), else ''. A
        text that no term or form spells out whole is none, without the scan (0.3 ms)."""
        lowered = text.lower()
        if lowered not in self._whole and _unhyphenated(lowered) not in self._whole:
            return ""
        terms = self.translate(text)
        return text if len(terms) == 1 and terms[0][0].lower() == text.lower() else ""

    def translate(self, question: str) -> list[tuple[str, list[str]]]:
        """Each glossary term of `question` with its forms in the other language, in question order.

        Longest match first and every character once, as dictionary-based cross-language retrieval does:
        医保目录 is one term (national reimbursement drug list), not also 医保 (medical insurance). The
        forms of one term are alternatives, so a passage that uses any of them matches the term.
        """
        lowered = question.lower()
        english = _unhyphenated(lowered)  # the same length: spans found in it are spans of `lowered`
        found = []  # (start, end, other-language forms)
        for (chinese, forms), folded, pattern in zip(self.entries, self._forms, self._english, strict=True):
            if chinese in lowered:  # plain substring tests first: a question holds few of the terms
                found += [(m.start(), m.end(), forms) for m in re.finditer(re.escape(chinese), lowered)]
            if any(form in english for form in folded):
                found += [(m.start(), m.end(), [chinese]) for m in pattern.finditer(english)]
        taken = np.zeros(len(lowered), dtype=bool)
        chosen: dict[tuple[int, int], list[str]] = {}  # one span can be several entries' form
        for start, end, forms in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if (start, end) in chosen or not taken[start:end].any():
                taken[start:end] = True
                chosen.setdefault((start, end), []).extend(forms)
        terms: dict[str, list[str]] = {}
        for start, end in sorted(chosen):
            terms.setdefault(lowered[start:end], []).extend(chosen[start, end])
        return [(term, list(dict.fromkeys(forms))) for term, forms in terms.items()]


_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


def _unhyphenated(text: str) -> str:
    """A hyphen between letters as a space: "one-product-two-specifications" is the glossary's "one product
    two specifications", and "dual-channel" its "dual channel"."""
    return _HYPHEN.sub(" ", text)


#: the endings a form's stem may take: none or a plural's, or a -y word's singular and plural
_PLURAL = ("", "s", "es")
_Y_PLURAL = ("y", "ies")


def _singular(form: str) -> tuple[str, tuple[str, ...]]:
    """A form's stem and the endings it may take. A phrase given in the plural is also its singular
    ("rare disease drugs" names 罕见病, given as "rare diseases"; "industrial parks"), a single word is
    not: the glossary gives "measures" for 若干措施 and "claims" for 理赔, and "measure" and "claim"
    are everyday words (XQuAD en->zh lost two questions' top passage to them)."""
    last = form.rsplit(" ", 1)[-1]
    if " " in form and len(last) > 4 and last.endswith("ies"):
        return form[:-3], _Y_PLURAL
    if " " in form and len(last) > 4 and last.endswith("s") and not last.endswith("ss"):
        return form[:-1], _PLURAL
    if len(last) > 3 and last[-1] == "y" and last[-2] not in "aeiou":  # "real-world study": "…studies"
        return form[:-1], _Y_PLURAL
    return form, _PLURAL


def _parse_glossary(text: str, source: str) -> list[tuple[str, list[str]]]:
    """Entries of a glossary file; a malformed line is an error naming the file and line."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        chinese, _, english = line.partition("\t")
        forms = [form.strip() for form in english.split("|") if form.strip()]
        if not chinese.strip() or not forms:
            raise ValueError(f"{source}:{number}: expected '中文<TAB>english|forms', got {line!r}")
        entries.append((chinese.strip(), forms))
    return entries
