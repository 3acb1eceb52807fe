"""The official `openai` client, pointed at any OpenAI-compatible server, with its failures mapped to
`BackendFailed` kinds the answer layer explains in the user's language.

The client does the HTTP: streaming (SSE), retries with backoff (connection errors, 408/409/429/5xx,
honouring Retry-After), timeouts and typed errors. What it leaves to us: a stream that ends without a
finish reason is an error here (an answer cut off by a dying server must not pass as
complete), and no secret (the key, a password in the URL) ever reaches a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...settings import LLMSettings
from ..base import BackendFailed

#: sent when no key is configured: the client insists on one, and local servers (llama.cpp, Ollama,
#: vLLM without --api-key) ignore it
NO_KEY = "no-key"


class ChatClient:
    """One `openai.OpenAI` client (its connection pool is shared by every thread) for one server."""

    def __init__(self, llm: LLMSettings, timeout: float | None = None, retries: int | None = None) -> None:
        import openai

        self.llm = llm
        self.client = openai.OpenAI(
            base_url=llm.base_url, api_key=llm.api_key.get_secret_value() or NO_KEY,
            timeout=llm.timeout if timeout is None else timeout,
            max_retries=llm.retries if retries is None else retries,
            http_client=openai.DefaultHttpxClient(trust_env=False),  # a loopback model is never proxied
        )

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Text deltas of one streamed chat completion; raises BackendFailed.

        `timeout` bounds each attempt's wait for the first byte and every pause while it streams;
        `retries` more attempts follow a failure before anything arrived (at most
        (retries + 1) x timeout plus the client's backoff in all).
        """
        import openai

        started = finished = False
        try:
            stream = self.client.chat.completions.create(
                model=self.llm.model, messages=messages, stream=True, temperature=self.llm.temperature,
                max_tokens=self.llm.max_tokens)
            for chunk in stream:
                for choice in chunk.choices or []:
                    content = choice.delta.content if choice.delta else None
                    if content:
                        started = True
                        yield content
                    finished = finished or bool(choice.finish_reason)
        except openai.APITimeoutError as exc:
            raise BackendFailed("stalled" if started else "timeout", seconds=self.llm.timeout) from exc
        except openai.APIConnectionError as exc:
            failure = self._connection_failure(exc)
            if started:
                raise BackendFailed("broken", detail=failure.describe("en")) from exc
            raise failure from exc
        except openai.APIStatusError as exc:
            raise BackendFailed("http", status=exc.status_code, detail=_message(exc.body)) from exc
        except openai.APIError as exc:  # an error event inside the stream
            raise BackendFailed("server_error", detail=_message(exc.body) or exc.message[:200]) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackendFailed("malformed") from exc
        if not finished:
            raise BackendFailed("ended")

    def _connection_failure(self, exc: Exception) -> BackendFailed:
        """connect / closed / network, from the transport error the client wrapped."""
        cause = type(exc.__cause__).__name__ if exc.__cause__ else ""
        if cause == "ConnectError":
            return BackendFailed("connect", url=safe_url(self.llm.base_url))
        if cause in ("RemoteProtocolError", "ReadError"):
            return BackendFailed("closed")
        return BackendFailed("network", detail=cause or type(exc).__name__)

    def reachable(self) -> bool:
        """Whether the server answers `GET /models` at all (any reply below 500 counts)."""
        import openai

        try:
            self.client.models.list()
        except openai.APIStatusError as exc:
            return exc.status_code < 500
        except Exception:
            return False
        return True


def _message(body: object) -> str:
    """The `message` of an OpenAI-style error body, cut short."""
    if isinstance(body, dict):
        body = body.get("message", body.get("error", body))
        if isinstance(body, dict):
            body = body.get("message", "")
    return str(body or "")[:200]


def safe_url(url: str) -> str:
    """scheme://host:port/path of a URL, without any user:password@ or query that could hold a secret."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def probe(llm: LLMSettings) -> bool:
    """Whether the configured OpenAI-compatible server answers (one quick request at start-up)."""
    return bool(llm.base_url) and ChatClient(llm, timeout=1.0, retries=0).reachable()
