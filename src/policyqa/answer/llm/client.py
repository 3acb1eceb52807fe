"""A streaming OpenAI-compatible chat-completions client with bounded retries."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..base import BackendFailed


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
