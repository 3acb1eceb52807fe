"""The OpenAI-compatible backend: streams a model's answer and checks its citations."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...records import Hit
from ...settings import Settings
from ...text.sentences import split_sentences
from ..base import AnswerBackend, BackendFailed, Draft, cite
from ..citations import check_citations
from ..extractive import ExtractiveBackend
from ..messages import MESSAGES
from .claims import ClaimCheck, grams
from .client import ChatClient
from .prompts import _THINK, NOT_COVERED, _LeakGuard, _normal, build_messages


class OpenAIBackend(AnswerBackend):
    """Any OpenAI-compatible /v1/chat/completions server (vLLM, Ollama, llama.cpp, DeepSeek, DashScope ...).

    Streams the answer through the official `openai` client, then checks it: citations to passages that
    were not given are removed, every claim sentence must be supported by the passage it cites (figures
    and words, or a close sentence for a translated claim; see claims.py) or it is cut with a notice, and
    an answer that cites no passage at all, keeps no supported claim or repeats its instructions is
    rejected (BackendFailed), so the Answerer shows the extractive answer instead. `openai_timeout` bounds
    each attempt's wait for the server and every pause while it streams; connection errors and
    408/409/429/5xx replies are retried up to `openai_retries` times.
    """

    name = "openai"

    def __init__(self, settings: Settings, quoter: ExtractiveBackend | None = None) -> None:
        self.settings = settings
        self.quoter = quoter
        llm = settings.llm
        self.client = ChatClient(llm)
        self.claims = ClaimCheck(llm.claim_overlap, llm.claim_cosine, quoter.vectors if quoter else None,
                                 settings.index.clause_chars)  # the clause windows the index stores

    def stream(self, question: str, hits: list[Hit], lang: str) -> Iterator[Draft]:
        messages = build_messages(question, hits, lang)
        leak = _LeakGuard.for_language(lang)
        raw = ""
        for delta in self.complete(messages):
            raw += delta
            visible = _THINK.sub("", raw)
            if leak.found(visible):
                raise BackendFailed("leak")
            checked = check_citations(visible, len(hits), final=False)
            citations = [cite(i + 1, hits[h]) for i, h in enumerate(checked.passages)]
            yield Draft(text=checked.text, citations=citations)
        yield self.final_draft(raw, hits, lang, leak)

    def final_draft(self, raw: str, hits: list[Hit], lang: str, leak: _LeakGuard | None = None) -> Draft:
        """Validate a complete generation: citations, refusals, leaked instructions."""
        text = _THINK.sub("", raw).strip()
        leak = leak or _LeakGuard.for_language(lang)
        if leak.found(text):
            raise BackendFailed("leak")
        checked = check_citations(text, len(hits), final=True)
        if not checked.passages:
            if _normal(NOT_COVERED[lang]) in _normal(text) or _normal(NOT_COVERED["en"]) in _normal(text):
                return Draft(text=MESSAGES[lang]["declined"], declined=True)
            raise BackendFailed("uncited" if text else "empty")
        verdict = self.claims.verify(text, hits)
        checked = check_citations(verdict.text, len(hits), final=True)
        if not checked.passages:
            raise BackendFailed("unsupported")
        notices = []
        if checked.dropped:
            notices.append(MESSAGES[lang]["dropped"].format(refs="".join(f"[{n}]" for n in checked.dropped)))
        if verdict.dropped:
            notices.append(MESSAGES[lang]["unsupported"].format(n=verdict.dropped))
        citations = []
        for i, h in enumerate(checked.passages):
            quote = self._quote(hits[h], checked.claims.get(h, []))
            citations.append(cite(i + 1, hits[h], [quote] if quote else []))
        return Draft(text=checked.text.strip(), citations=citations, notice=" ".join(notices))

    def _quote(self, hit: Hit, claims: list[str]) -> str:
        """The sentence of the passage that best supports the claims citing it (for highlighting)."""
        spans = [hit.text[s:e] for s, e in split_sentences(hit.text)]
        if not spans:
            return ""
        if not claims:
            return spans[0]
        for claim in claims:
            for sentence in spans:
                if claim and claim in sentence:
                    return sentence
        if self.quoter is not None:
            vectors = self.quoter.vectors([" ".join(claims), *spans])
            return spans[int(np.argmax(vectors[1:] @ vectors[0]))]
        claim_grams = grams(" ".join(claims))
        return max(spans, key=lambda s: len(grams(s) & claim_grams))

    def complete(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Text deltas of one streamed chat completion, with bounded retries; raises BackendFailed."""
        return self.client.stream(messages)
