"""A streaming OpenAI-compatible chat-completions client with bounded retries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from ...settings import LLMSettings, Settings
from ..base import BackendFailed


def stream_chat(settings: Settings, messages: list[dict[str, str]]) -> Iterator[str]:
    """Text deltas of one streamed chat completion, with bounded retries; raises BackendFailed."""
    import httpx

    s = settings
    url = s.openai_base_url.rstrip("/") + "/chat/completions"
    headers = {"Accept": "text/event-stream"}
    key = s.openai_api_key.get_secret_value()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    payload = {"model": s.openai_model, "messages": messages, "stream": True,
               "temperature": s.openai_temperature, "max_tokens": s.openai_max_tokens}
    deadline = time.monotonic() + s.openai_timeout
    attempt = 0
    while True:
        remaining = deadline - time.monotonic()
        started = False
        try:
            timeout = httpx.Timeout(max(0.1, min(s.openai_timeout, remaining)))
            with httpx.Client(timeout=timeout, trust_env=False) as client, \
                    client.stream("POST", url, json=payload, headers=headers) as response:
                if response.status_code in (408, 409, 429) or response.status_code >= 500:
                    raise _Retryable("http", status=response.status_code)
                if response.status_code >= 400:
                    response.read()
                    raise BackendFailed("http", status=response.status_code,
                                        detail=_error_message(response.text))
                for delta in _deltas(response):
                    started = True
                    yield delta
            return
        except BackendFailed:
            raise
        except httpx.TimeoutException as exc:
            if started:
                raise BackendFailed("stalled", seconds=s.openai_timeout) from exc
            raise BackendFailed("timeout", seconds=s.openai_timeout) from exc
        except (httpx.HTTPError, _Retryable) as exc:
            failure = exc.failure if isinstance(exc, _Retryable) else _failure(exc, s.openai_base_url)
            if started:
                raise BackendFailed("broken", detail=failure.describe("en")) from exc
            attempt += 1
            pause = min(0.5 * attempt, 2.0)
            if attempt > s.openai_retries or deadline - time.monotonic() < pause + 0.5:
                raise failure from exc
            time.sleep(pause)


class _Retryable(Exception):
    """A reply worth another attempt (rate limit, overload, server error)."""

    def __init__(self, kind: str, **params: object) -> None:
        super().__init__(kind)
        self.failure = BackendFailed(kind, **params)


def _deltas(response) -> Iterator[str]:
    """Content pieces of an SSE chat-completion stream (or of a plain JSON reply from a server that ignores
    `stream`); a stream that ends without [DONE] or a finish reason is an error."""
    if "application/json" in response.headers.get("content-type", ""):
        response.read()
        data = _loads(response.text)
        content = (data.get("choices") or [{}])[0].get("message", {}).get("content")
        if not isinstance(content, str):
            raise BackendFailed("malformed")
        yield content
        return
    finished = False
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, ": ping" comments, "event:" lines
        data = line[5:].strip()
        if data == "[DONE]":
            finished = True
            break
        event = _loads(data)
        if "error" in event:
            raise BackendFailed("server_error", detail=_error_message(data))
        for choice in event.get("choices") or []:
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield content
            if choice.get("finish_reason"):
                finished = True
    if not finished:
        raise BackendFailed("ended")


def _loads(data: str) -> dict:
    try:
        value = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BackendFailed("malformed") from exc
    if not isinstance(value, dict):
        raise BackendFailed("malformed")
    return value


def _error_message(body: str) -> str:
    try:
        error = json.loads(body).get("error")
        message = error.get("message") if isinstance(error, dict) else error
        return str(message or body)[:200]
    except (json.JSONDecodeError, AttributeError):
        return body[:200]


def _failure(exc: Exception, base_url: str) -> BackendFailed:
    import httpx

    if isinstance(exc, httpx.ConnectError):
        return BackendFailed("connect", url=safe_url(base_url))
    if isinstance(exc, httpx.RemoteProtocolError):
        return BackendFailed("closed")
    return BackendFailed("network", detail=type(exc).__name__)


def safe_url(url: str) -> str:
    """scheme://host:port/path of a URL, without any user:password@ or query that could hold a secret."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def probe(llm: LLMSettings) -> bool:
    """Whether the configured OpenAI-compatible server answers (one quick request at start-up)."""
    if not llm.base_url:
        return False
    try:
        import httpx

        headers = {}
        key = llm.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        response = httpx.get(llm.base_url.rstrip("/") + "/models", timeout=1.0, headers=headers)
        return response.status_code < 500
    except Exception:
        return False
