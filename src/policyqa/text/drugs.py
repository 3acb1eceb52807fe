"""Drug names a question asks about, so that a question about a drug no passage mentions is declined.

Policy documents speak of innovative drugs in general and name few; quoting a general pricing rule in
answer to "What is the negotiated price of ivonescimab?" would read as an answer about that drug. The
patterns are the naming conventions themselves: INN stems (-mab, -tinib, -ciclib, -statin ...) in
English, a dosage form or drug-class ending (单抗, 替尼, 仑赛, 注射液, 胶囊 ...) in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

#: INN stems that end a drug's name and hardly any ordinary English word
_INN = re.compile(r"\b[a-z]{3,}(?:mab|tinib|ciclib|parib|lisib|rafenib|statin|platin|taxel|rubicin|"
                  r"gliptin|gliflozin|sartan|prazole|cycline|mycin|cillin|floxacin|leucel|previr|asvir|"
                  r"buvir)\b", re.I)
#: a Chinese drug name: the characters before a dosage form or class ending (阿达木单抗, 普基奥仑赛注射液)
_ZH = re.compile(r"([\u4e00-\u9fff]{2,4}?)"
                 r"(单抗|替尼|仑赛|注射液|注射剂|胶囊|颗粒|口服液|缓释片|肠溶片|分散片)")


def drugs_named(text: str) -> set[str]:
    """The drug names in a text: English INNs lower-cased; Chinese as the last three characters before
    the ending plus the ending, which leaves out words that run into the name
    (关于阿达木单抗 -> 阿达木单抗)."""
    names = {m.group(0).lower() for m in _INN.finditer(text)}
    names |= {m.group(1)[-3:] + m.group(2) for m in _ZH.finditer(text)}
    return names


#: a text's words with their other-language forms, (source, forms) pairs (the retriever's lexicon)
Translate = Callable[[str], Iterable[tuple[str, list[str]]]]


def unmentioned_drugs(question: str, passages: str, translate: Translate | None = None) -> set[str]:
    """The question's drug names that the passages do not mention, in the question's words or, with
    `translate`, in the other language's: an English passage writes 氨基酸注射液 as "amino acid injection"."""
    lower = passages.lower()
    return {name for name in drugs_named(question)
            if name not in lower and not (translate and _written_across(name, lower, translate))}


def _written_across(name: str, lower: str, translate: Translate) -> bool:
    """Whether the passages write the drug in the other language: an English INN as the dictionary's
    Chinese name (amoxicillin: 阿莫西林), or every word of a Chinese name before its ending (氨基酸 of
    氨基酸注射液) in English. Whole words only: single characters translate to noise (普 -> "general"), so
    a coined name such as 普基奥仑赛 is never found this way."""
    match = _ZH.fullmatch(name)
    if match is None:
        return any(form.lower() in lower for source, forms in translate(name) if source.lower() == name
                   for form in forms)
    stem = match.group(1)
    words = [(source, forms) for source, forms in translate(stem) if len(source) >= 2]
    return (sum(len(source) for source, _ in words) == len(stem)
            and all(any(form.lower() in lower for form in forms) for _, forms in words))
