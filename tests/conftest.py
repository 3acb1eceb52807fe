"""Shared fixtures: the real bundled corpus, the real USE embedder, a real index built once per session."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
# the suite runs in as many xdist workers as there are cores, so each embeds on one BLAS thread: a second
# one only spins waiting for a busy core (64 passages took 10 s on two threads and 3.2 s on one, load 9)
os.environ.setdefault("POLICYQA_EMBED_THREADS", "1")

from policyqa.evaluate.metrics import normalise  # noqa: F401  (the eval's hit rule, for the tests)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"


def load_questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory) -> Path:
    """A private copy of the bundled corpus that tests may not modify (read-only use)."""
    target = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def settings_factory(tmp_path_factory):
    """Settings pointing at temp folders, so no test touches the repo's index/."""
    from policyqa.settings import Settings

    def make(corpus: Path, index: Path | None = None, **kw) -> Settings:
        index = index or tmp_path_factory.mktemp("index")
        return Settings(corpus_dir=corpus, index_dir=index, **kw)

    return make


@pytest.fixture(scope="session")
def built(corpus_copy, settings_factory):
    """(settings, ingest result) for the bundled corpus indexed once with the default settings."""
    from policyqa.index.build import ingest

    settings = settings_factory(corpus_copy)
    return settings, ingest(settings)


@pytest.fixture(scope="session")
def index(built):
    from policyqa.index.reader import open_index

    return open_index(built[0])


@pytest.fixture(scope="session")
def embedder(built):
    from policyqa.embedding import get_embedder

    s = built[0]
    return get_embedder(s.embedder, s.embed_threads, s.embed_batch_size)


@pytest.fixture(scope="session")
def retriever(index, embedder):
    from policyqa.retrieve.retriever import Retriever

    return Retriever(index, embedder)


@pytest.fixture(scope="session")
def open_server(built, tmp_path_factory):
    """One `policyqa serve` without a password on a private copy of the session index, started once per
    worker and shared by the system tests that only ask it (browser, compare, load); tests that upload or
    sign in start their own."""
    from app_server import private_copy, start_server

    folder = tmp_path_factory.mktemp("serve-shared")
    corpus, index = private_copy(built[0], folder)
    server = start_server(corpus, index, folder)
    yield server
    server.stop()


def require(module: str, install: str) -> None:
    """Skip when an optional test dependency is missing; under CI=true that is a failure, not a skip."""
    if importlib.util.find_spec(module) is not None:
        return
    missing(f"{module} is not installed: {install}")


def missing(message: str) -> None:
    """Skip a test whose system package or dependency is missing on a developer's machine; under CI=true,
    which installs them all (.ci/run), fail instead, so no test silently stops running there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """A real Milvus standalone server on a free loopback port; yields its URI.

    The `milvus` package ships the 2.3.5 standalone binary (embedded etcd, local storage). Starting it
    takes 20-40 s, so it is started once per session, and only when a test asks for it.
    """
    require("milvus", "pip install milvus==2.3.5 (Linux x86-64)")
    from milvus import MilvusServer

    if not port_is_free(ETCD_PEER_PORT):
        raise RuntimeError(f"port {ETCD_PEER_PORT} is taken: Milvus's embedded etcd always listens there "
                           "(the package's config offers no setting), so another Milvus server or test "
                           "session runs on this machine; stop it, or run one suite at a time")
    base = tmp_path_factory.mktemp("milvus-server")
    server = MilvusServer()
    server.set_base_dir(str(base))
    server.listen_port = free_port()
    try:
        server.start()
    except (RuntimeError, TimeoutError) as exc:
        server.stop()
        logs = "\n".join(f.read_text(errors="replace")[-2000:] for f in sorted((base / "logs").glob("*.log")))
        raise RuntimeError(f"Milvus standalone did not start: {exc}\n{logs}") from exc
    yield f"http://127.0.0.1:{server.listen_port}"
    server.stop()


#: the embedded etcd's peer port in the milvus package's config template (only its client port is settable)
ETCD_PEER_PORT = 2380


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    """A loopback port nobody listens on, for a server a test starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen | None, grace: float = 15) -> None:
    """Ask a server to exit, and kill it if it does not within `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def raw_offset(doc, clean_offset: int) -> int:
    """Where a cleaned offset came from in the raw file, read off the document's segment map.

    The product only records the map (for opening the original); the tests check that it is right.
    """
    for clean_start, raw_start, length in doc.segments:
        if clean_start <= clean_offset < clean_start + length:
            return raw_start + clean_offset - clean_start
    for clean_start, raw_start, length in doc.segments:  # the end of a span: just past a run
        if clean_offset == clean_start + length:
            return raw_start + length
    return clean_offset
