"""policyqa as a model: an OpenAI-compatible `/v1/chat/completions` (and `/v1/models`) on the `serve`
server, so any OpenAI client or chat front end can ask the documents.

The model is "policyqa". The last user message is the question; earlier user messages resolve a short
follow-up ("and Beijing?") the way the chat does. Every question goes through `Service.ask`, the one path
the chat and `/ask` follow. The reply's content is the answer with its [n] markers (and any notice after a
blank line); the message also carries `citations` (the cited passages: document, title, text, character
span in the document ...) and `declined`; `policyqa` at the top level carries the backend, the notice, the
resolved question, the closest passages and the timings. Streaming sends the checked text as it grows
(an LLM's text only once its claims are checked) and the citations in the last chunk, then `[DONE]`.
Per-request options go in an extra `policyqa` object: k, mode, backend, documents, regions, places,
languages, date_from, date_to, and compare (true or "region"/"document": one cited answer per group, as a
table, with `policyqa.comparison` holding the groups).

A bearer token is required when the server has one: `POLICYQA_API_KEY`, or with `--auth` any
`user:password` that signs in to the chat. Errors have OpenAI's JSON shape.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from starlette.concurrency import run_in_threadpool

from ..answer.messages import join_notices
from ..records import location
from .compare_view import comparison_markdown
from .followup import resolve_followup
from .render import UI_TEXT, Source, notices_besides
from .service import Request, Service, Turn, option_problem

log = logging.getLogger("policyqa.api")

MODEL = "policyqa"
#: the backends whose partial answers are already checked; an LLM's text is sent once verified
CHECKED_WHILE_STREAMING = {"extractive"}


class Message(BaseModel):
    """A chat message; content may be a string or OpenAI's list of typed parts."""

    model_config = ConfigDict(extra="ignore")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class Options(BaseModel):
    """The `policyqa` extra body: the chat's search settings; empty values mean the server's defaults."""

    model_config = ConfigDict(extra="forbid")

    k: int | None = None
    mode: str = ""
    backend: str = ""
    documents: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    date_from: str = ""
    date_to: str = ""
    #: true (by region), "region" or "document": one cited answer per group, as a Markdown table
    compare: bool | str = False
    #: passage region tags ('Hainan', '海南'), as `/ask` and `--place` take them: a digest's passages by place
    places: list[str] = Field(default_factory=list)

    @field_validator("k", "mode", "backend", "compare")
    @classmethod
    def _usable(cls, value: Any, info: ValidationInfo) -> Any:
        """k, mode, backend and compare by the rules `/ask` and the command line apply (compare 'province'
        and mode 'foo' were ignored): a 400 naming what they may be."""
        problem = option_problem(info.field_name, value if not isinstance(value, bool) else "")
        if problem:
            raise ValueError(problem)
        return value

    @property
    def grouping(self) -> str:
        """'' (one answer), 'region' or 'document'; any other string is kept, to be refused."""
        if isinstance(self.compare, bool):
            return "region" if self.compare else ""
        return self.compare


class ChatRequest(BaseModel):
    """The fields of an OpenAI chat-completions request that policyqa reads (others are accepted)."""

    model_config = ConfigDict(extra="ignore")

    model: str
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    policyqa: Options = Field(default_factory=Options)

    def to_request(self) -> Request:
        """The last user message as the question, earlier ones resolving it as a follow-up."""
        asked = [m.text for m in self.messages if m.role == "user"]
        if not asked:
            raise ApiError(400, "messages must contain a user message", param="messages")
        previous = ""
        for earlier in asked[:-1]:
            if earlier.strip():
                previous = resolve_followup(earlier.strip(), previous)
        o = self.policyqa
        return Request(asked[-1], previous, o.k, o.mode, o.backend, o.documents, o.regions, o.languages,
                       o.date_from, o.date_to, compare=o.grouping, places=o.places)


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "invalid_request_error",
               500: "server_error"}


class ApiError(Exception):
    """A reply in OpenAI's error shape: {"error": {"message", "type", "param", "code"}}."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": ERROR_TYPES.get(self.status, "server_error"),
                          "param": self.param, "code": self.code}}


class ChatApi:
    """The endpoints' work, independent of the web framework: check the token, parse, answer, shape."""

    def __init__(self, service: Service, tokens: Iterable[str] = ()) -> None:
        self.service = service
        self.tokens = [t for t in tokens if t]
        self.slots = threading.BoundedSemaphore(service.settings.serve_concurrency)

    def authorize(self, header: str | None) -> None:
        """Nothing when no token is configured or the bearer token is one of them; else 401."""
        if not self.tokens:
            return
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not any(hmac.compare_digest(token.strip().encode(), t.encode())
                                                 for t in self.tokens):
            raise ApiError(401, "Missing or invalid API key: send 'Authorization: Bearer <key>' "
                                "(POLICYQA_API_KEY, or a user:password that signs in to the chat).",
                           code="invalid_api_key")

    @staticmethod
    def parse(body: bytes) -> ChatRequest:
        try:
            request = ChatRequest.model_validate(json.loads(body or b"null"))
        except json.JSONDecodeError:
            raise ApiError(400, "the request body is not valid JSON") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            param = ".".join(str(x) for x in first["loc"]) or None
            message = first["msg"].removeprefix("Value error, ")
            raise ApiError(400, f"{param}: {message}" if param else message, param=param) from None
        if request.model != MODEL:
            raise ApiError(404, f"The model '{request.model}' does not exist; use '{MODEL}'.", param="model",
                           code="model_not_found")
        return request

    def models(self) -> dict:
        return {"object": "list", "data": [model_card()]}

    def turns(self, request: ChatRequest) -> Iterator[Turn]:
        """`Service.ask`'s turns, with at most `serve_concurrency` questions answered at once."""
        with self.slots:
            yield from self.service.ask(request.to_request())

    def complete(self, request: ChatRequest) -> dict:
        """A non-streaming reply: the final turn as a chat.completion."""
        final = None
        for final in self.turns(request):  # noqa: B007 - only the last turn is the answer
            pass
        check_problem(final)
        reply = envelope("chat.completion")
        message = {"role": "assistant", "content": content(final), **answer_fields(final)}
        reply["choices"] = [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}]
        reply["usage"] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        reply["policyqa"] = details(final)
        return reply

    def stream(self, request: ChatRequest) -> Iterator[str]:
        """SSE events of a streamed reply. The first answer (or a problem) is awaited before the first
        event, so a refused question is still a plain HTTP error."""
        turns = self.turns(request)
        try:
            first = next(t for t in turns if t.final or t.answer is not None)
            check_problem(first)
        except BaseException:
            turns.close()  # frees the answer slot now
            raise
        return self._events(first, turns)

    def _events(self, first: Turn, turns: Iterator[Turn]) -> Iterator[str]:
        head = envelope("chat.completion.chunk")
        yield sse({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                        "finish_reason": None}]})
        sent = ""
        try:
            for turn in _chain(first, turns):
                if turn.final:
                    check_problem(turn)
                    text = content(turn)
                elif turn.answer is not None and turn.answer.backend in CHECKED_WHILE_STREAMING:
                    text = turn.answer.answer
                else:
                    continue
                if text.startswith(sent) and len(text) > len(sent):
                    yield sse({**head, "choices": [{"index": 0, "delta": {"content": text[len(sent):]},
                                                    "finish_reason": None}]})
                    sent = text
                if turn.final:
                    delta = answer_fields(turn)
                    yield sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": "stop"}],
                               "policyqa": details(turn)})
        except ApiError as exc:
            yield sse(exc.body())
        yield "data: [DONE]\n\n"


def _chain(first: Turn, rest: Iterator[Turn]) -> Iterator[Turn]:
    yield first
    yield from rest


def check_problem(turn: Turn | None) -> None:
    """A question refused as asked (400) or a failure while answering (500), as an ApiError."""
    if turn is None:
        raise ApiError(500, "no answer was produced")
    if turn.problem:
        if turn.failed:
            raise ApiError(500, "internal error (logged on the server)")
        # the option or filter at fault, as OpenAI clients read `param` (policyqa.regions), else the question
        raise ApiError(400, turn.problem, param=f"policyqa.{turn.problem_field}" if turn.problem_field
                       else "messages")


def content(turn: Turn) -> str:
    """The message text: the answer (or the refusal) and any notice after a blank line; a comparison is
    its Markdown table."""
    if turn.comparison is not None:
        return comparison_markdown(turn.comparison, turn.lang, escape=False)
    answer = turn.answer
    text = answer.answer.strip() or UI_TEXT[turn.lang]["declined"].replace("**", "")
    if answer.declined and turn.sources:
        text += "\n\n" + closest_text(turn.sources, turn.lang)
    notice = join_notices(*notices_besides(answer.answer, answer.notice, turn.notice))  # as the chat does
    return f"{text}\n\n{notice}" if notice else text


#: characters of a closest passage quoted in a declined reply's text
EXCERPT_CHARS = 160


def closest_text(sources: list[Source], lang: str) -> str:
    """The closest passages a refusal says are "listed below", in the message text itself: a client that
    shows only `content` (most chat front ends) would otherwise show the promise and nothing after it.
    Each with its document, section, file and offsets (as `policyqa ask` prints them), and the opening of
    its text."""
    lines = [UI_TEXT[lang]["closest"] + ":"]
    for s in sources:
        where = " — ".join(x for x in (s.title, s.section) if x)
        opening = " ".join(s.text.split())
        excerpt = opening if len(opening) <= EXCERPT_CHARS else opening[:EXCERPT_CHARS].rstrip() + "…"
        at = location(s.doc_id, s.source_file, s.source_span or (None, None), s.start, s.end, s.page)
        lines.append(f"({s.n}) {where} [{at}]: “{excerpt}”")
    return "\n".join(lines)


def answer_fields(turn: Turn) -> dict:
    """What an OpenAI message lacks: the cited passages and whether the documents answered at all."""
    if turn.comparison is not None:
        declined = all(g.declined for g in turn.comparison.groups)
    else:
        declined = turn.answer.declined
    cited = [] if declined else turn.sources
    return {"citations": [citation(s) for s in cited], "declined": declined}


def details(turn: Turn) -> dict:
    if turn.comparison is not None:
        comparison = turn.comparison
        return {"backend": "", "notice": comparison.notice, "resolved_question": turn.resolved, "closest": [],
                "timings_ms": comparison.timings_ms, "comparison": comparison.public()}
    answer = turn.answer
    return {"backend": answer.backend, "notice": join_notices(answer.notice, turn.notice),
            "resolved_question": turn.resolved, "closest": [citation(s) for s in turn.closest],
            "timings_ms": answer.timings_ms}


def citation(source: Source) -> dict:
    """A cited passage: the document's own text, where it sits in the document and the places it is about."""
    return {"n": source.n, "doc_id": source.doc_id, "chunk_id": source.chunk_id, "title": source.title,
            "title_alt": source.title_alt, "issuer": source.issuer, "region": source.region,
            "date": source.date, "section": source.section, "start": source.start, "end": source.end,
            "source_file": source.source_file,
            "source_span": list(source.source_span) if source.source_span else None,
            "page": source.page, "lang": source.lang, "text": source.text, "sentence": source.sentence,
            "origin": "upload" if source.uploaded_at else "corpus", "uploaded_at": source.uploaded_at,
            "curated": source.curated, "places": source.places}


def envelope(kind: str) -> dict:
    return {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": kind, "created": int(time.time()), "model": MODEL}


def model_card() -> dict:
    return {"id": MODEL, "object": "model", "created": 0, "owned_by": "policyqa"}


def sse(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def api_routes(service: Service, tokens: Iterable[str] = ()) -> list:
    """The FastAPI routes, handed to the Gradio app so both share one server. The handlers are async but
    answer in Starlette's thread pool (the Answerer is shared by every thread)."""
    api = ChatApi(service, tokens)
    router = APIRouter(prefix="/v1")

    def failed(exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @router.get("/models")
    async def models(http: HttpRequest):
        try:
            api.authorize(http.headers.get("authorization"))
        except ApiError as exc:
            return failed(exc)
        return JSONResponse(api.models())

    @router.post("/chat/completions")
    async def chat_completions(http: HttpRequest):
        try:
            api.authorize(http.headers.get("authorization"))
            request = api.parse(await http.body())
            if request.stream:
                events = await run_in_threadpool(api.stream, request)
                return StreamingResponse(events, media_type="text/event-stream",
                                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
            return JSONResponse(await run_in_threadpool(api.complete, request))
        except ApiError as exc:
            return failed(exc)
        except Exception:
            log.exception("chat completion failed")
            return failed(ApiError(500, "internal error (logged on the server)"))

    return list(router.routes)
