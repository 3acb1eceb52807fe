"""`policyqa serve`: authentication, the exposure warning, and launching the app."""

from __future__ import annotations

import ipaddress
import json
import logging
import math
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..settings import Settings
from .render import counted
from .service import Service
from .style import CSS
from .ui import build_app
from .uploads import MIB

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def read_auth(auth: str | None, auth_file: Path | None) -> list[tuple[str, str]] | None:
    """(user, password) pairs from `--auth user:pass` and/or a file of `user:password` lines."""
    pairs = []
    entries = [auth] if auth else []
    if auth_file:
        entries += [ln.strip() for ln in Path(auth_file).read_text(encoding="utf-8").splitlines()
                    if ln.strip() and not ln.strip().startswith("#")]
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user or not password:
            raise ValueError("auth must be user:password (one per line in --auth-file)")
        pairs.append((user, password))
    return pairs or None


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServeRefused(ValueError):
    """`serve` will not start: the settings would expose the corpus, or the port is taken."""


def exposure_problem(host: str, share: bool, has_auth: bool) -> str:
    """Why serving would hand strangers read and upload access to the corpus, or '' when it would not.

    Only a loopback bind without a public link may go without a password: anything else reaches other
    machines, and uploads write into the corpus.
    """
    if has_auth or (is_loopback(host) and not share):
        return ""
    where = "--share (a public link)" if share else f"--host {host} (reachable from other machines)"
    return (f"refusing to serve on {where} without a password: add --auth user:password or "
            "--auth-file FILE, or bind --host 127.0.0.1")


def check_port_free(host: str, port: int) -> None:
    """Fail fast, before the model loads, when another process already listens on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeRefused(port_taken(host, port, exc)) from None


def port_taken(host: str, port: int, exc: Exception) -> str:
    return (f"cannot listen on {host}:{port} ({getattr(exc, 'strerror', None) or exc}): stop the other "
            "server or choose another port with --port")


class LoginThrottle:
    """ASGI middleware that locks a client out of `/login` and the `/v1` API after repeated wrong secrets.

    After `max_failures` failed sign-ins or rejected API keys (401) from one address, its sign-ins and
    API calls are refused with 429 and a Retry-After for `lockout` seconds, doubling with every further
    failure up to `max_lockout`. A success clears the count. Sign-ins still in flight count as failures,
    so a burst of parallel guesses gets no more tries than a sequential one; API calls are capped so only
    from an address that has failed before (a client's parallel requests are normal). Behind a reverse
    proxy every client shares its address.
    """

    PRUNE_ABOVE = 10_000  # tracked addresses before expired entries are dropped

    def __init__(self, app, max_failures: int = 5, lockout: float = 2.0, max_lockout: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.max_failures, self.lockout, self.max_lockout = app, max_failures, lockout, max_lockout
        self.clock = clock
        self.clients: dict[str, dict[str, float]] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        kind = _guarded(scope)
        if not kind:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.admit(client, cap_always=kind == "login")
        if wait > 0:
            await self.refuse(send, wait, kind)
            return
        status = {"code": 500}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.record(client, _counted(kind, status["code"]))

    def admit(self, client: str, cap_always: bool = True) -> float:
        """0 when the client may try now (the attempt is then counted in flight), else seconds to wait."""
        now = self.clock()
        with self.lock:
            state = self.clients.setdefault(client, {"failures": 0, "pending": 0, "until": 0.0})
            if now < state["until"]:
                return state["until"] - now
            capped = cap_always or state["failures"] > 0
            if capped and state["pending"] >= max(1, self.max_failures - state["failures"]):
                return self.lockout  # as many guesses in flight as failures are left (one after a lockout)
            state["pending"] += 1
            return 0.0

    def record(self, client: str, status: int) -> None:
        """Count a wrong password (any 4xx), clear the count on success; 5xx says nothing about it."""
        with self.lock:
            state = self.clients[client]
            state["pending"] -= 1
            if status < 400:
                state["failures"], state["until"] = 0, 0.0
            elif status < 500:
                state["failures"] += 1
                over = state["failures"] - self.max_failures
                if over >= 0:
                    delay = min(self.max_lockout, self.lockout * 2 ** min(over, 30))
                    state["until"] = self.clock() + delay
            if len(self.clients) > self.PRUNE_ABOVE:
                now = self.clock()
                for key in [k for k, v in self.clients.items() if not v["pending"] and v["until"] < now]:
                    del self.clients[key]

    @staticmethod
    async def refuse(send, wait: float, kind: str = "login") -> None:
        message = f"Too many failed sign-ins; try again in {math.ceil(wait)} s."
        payload = {"detail": message}
        if kind == "api":  # the shape OpenAI clients read
            payload = {"error": {"message": message.replace("sign-ins", "API keys"), "param": None,
                                 "type": "rate_limit_error", "code": "too_many_failed_keys"}}
        body = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", str(math.ceil(wait)).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _guarded(scope) -> str:
    """'login' for a sign-in, 'api' for the OpenAI-compatible API, '' for anything else."""
    if scope["type"] != "http":
        return ""
    path = scope.get("path", "")
    if scope.get("method") == "POST" and path.rstrip("/").endswith("/login"):
        return "login"
    return "api" if path.startswith("/v1/") else ""


def _counted(kind: str, status: int) -> int:
    """The status the throttle records: a sign-in fails with any 4xx, an API call only with 401 (its other
    4xx are bad requests, not guesses, and count as neither failure nor success)."""
    return 500 if kind == "api" and 400 <= status < 500 and status != 401 else status


def serve(settings: Settings, share: bool = False, auth: list[tuple[str, str]] | None = None,
          block: bool = True):
    """Load once, print what is loaded and the URL, serve until interrupted.

    Refuses (ServeRefused) before loading anything when the bind would expose the corpus without a
    password or the port is taken.
    """
    problem = exposure_problem(settings.host, share, bool(auth))
    if problem:
        raise ServeRefused(problem)
    check_port_free(settings.host, settings.port)
    quiet_logs()

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    service = Service.open(settings, say)
    n_docs, n_chunks = service.stats
    print(f"policyqa: {counted(n_docs, 'document')}, {counted(n_chunks, 'chunk')} loaded from "
          f"{settings.index_dir}", flush=True)
    demo = build_app(service)
    from starlette.middleware import Middleware

    from .openai_api import api_routes

    throttle = Middleware(LoginThrottle, max_failures=settings.login_max_failures,
                          lockout=settings.login_lockout_seconds,
                          max_lockout=settings.login_lockout_max_seconds)
    try:
        _, local_url, share_url = demo.launch(
            server_name=settings.host, server_port=settings.port, share=share, auth=auth,
            auth_message="policyqa: sign in · 请登录" if auth else None, prevent_thread_lock=True,
            show_error=False, quiet=True, max_file_size=settings.max_upload_mb * MIB, ssr_mode=False,
            css=CSS, theme=_theme(), footer_links=["api"],
            app_kwargs={"middleware": [throttle], "routes": api_routes(service, api_tokens(settings, auth))},
        )
    except OSError as exc:  # the port was taken while the model loaded
        raise ServeRefused(port_taken(settings.host, settings.port, exc)) from None
    print(f"policyqa is ready: {local_url}" + (f"  (public: {share_url})" if share_url else ""), flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            pass
        finally:
            demo.close()
    return demo


#: libraries whose INFO lines say nothing a user can act on: faiss's loader reports trying its AVX2 build
#: (with a ModuleNotFoundError when the wheel has none) before loading the generic one the project wants.
#: Their warnings and errors still show. (bm25s, which sets its own logger to DEBUG when imported, is
#: quieted where it is imported: index/lexical.py.)
NOISY_LOGGERS = ("httpx", "httpcore", "urllib3", "faiss.loader")


def quiet_logs() -> None:
    """INFO logging for the server's own lines, the libraries in NOISY_LOGGERS from WARNING up only."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def api_tokens(settings: Settings, auth: list[tuple[str, str]] | None) -> list[str]:
    """Bearer tokens the /v1 API accepts: POLICYQA_API_KEY, and `user:password` of every sign-in; none
    (an open API) only when neither is set, which `exposure_problem` allows on loopback alone."""
    key = settings.api_key.get_secret_value()
    return [key] * bool(key) + [f"{user}:{password}" for user, password in auth or []]


def _theme():
    """A theme with system fonts only: the page must not fetch anything from the internet."""
    import gradio as gr

    return gr.themes.Soft(font=["system-ui", "PingFang SC", "Noto Sans CJK SC", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])
