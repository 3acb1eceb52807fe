"""Start a real `policyqa serve` on a free loopback port for the app, browser and load tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import free_port, stop_process

READY = "policyqa is ready:"

# clients in the test process talk to the loopback server directly, never through a proxy
for _key in ("NO_PROXY", "no_proxy"):
    os.environ[_key] = ",".join(filter(None, [os.environ.get(_key, ""), "127.0.0.1", "localhost"]))


def loopback_env() -> dict[str, str]:
    """Environment for the server and clients: offline, no analytics, loopback never proxied."""
    env = dict(os.environ)
    env.update(GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    return env


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path
    corpus: Path
    index: Path
    feedback: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.proc)


def private_copy(settings, folder: Path) -> tuple[Path, Path]:
    """A corpus and index the server may modify (uploads), copied from the session's built index."""
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(settings.corpus_dir, corpus)
    shutil.copytree(settings.index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    return corpus, index


def start_server(corpus: Path, index: Path, folder: Path, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, timeout: float = 240) -> Server:
    port = free_port()
    log = folder / f"serve-{port}.log"
    feedback = folder / "feedback.jsonl"
    environment = loopback_env()
    environment["POLICYQA_FEEDBACK_PATH"] = str(feedback)
    environment.update(env or {})
    cmd = [sys.executable, "-m", "policyqa.cli", "serve", "--corpus", str(corpus), "--index", str(index),
           "--host", "127.0.0.1", "--port", str(port), *args]
    handle = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, cwd=folder, env=environment)
    handle.close()
    server = Server(proc, f"http://127.0.0.1:{port}/", log, corpus, index, feedback)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if READY in server.output():
            return server
        if proc.poll() is not None:
            raise RuntimeError(f"policyqa serve exited with {proc.returncode}:\n{server.output()[-3000:]}")
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"policyqa serve was not ready after {timeout}s:\n{server.output()[-3000:]}")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """The real `policyqa` command in a subprocess, offline, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "policyqa.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env={**loopback_env(), **(env or {})}, timeout=timeout)
