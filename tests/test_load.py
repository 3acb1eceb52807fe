"""Many users at once: 200 questions from 16 concurrent gradio_client clients against a running server.

Bounded (a fixed number of requests, then it stops), loopback only. Every reply must be an answer with
citations or a decline that still lists the closest passages; p50/p95 latency is printed and written to
artifacts/load.json. The server's Gradio queue (serve_concurrency workers, serve_queue_size slots) makes
it degrade by queueing: clients wait longer, none is refused.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from pathlib import Path

import pytest

from app_server import private_copy, start_server
from conftest import load_questions

pytestmark = pytest.mark.slow

CLIENTS = 16
REQUESTS = 200
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


@pytest.mark.timeout(900)
def test_200_questions_from_16_clients(built, tmp_path_factory):
    from gradio_client import Client

    folder = tmp_path_factory.mktemp("serve-load")
    corpus, index = private_copy(built[0], folder)
    server = start_server(corpus, index, folder)
    assert server.url.startswith("http://127.0.0.1:")
    questions = [q["question"] for q in load_questions()]
    work = [questions[i % len(questions)] for i in range(REQUESTS)]
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    uncited: list[str] = []

    def worker(me: int) -> None:
        try:
            client = Client(server.url, verbose=False)
        except Exception as exc:
            with lock:
                errors.append(f"client {me}: {exc!r}")
            return
        for i in range(me, REQUESTS, CLIENTS):
            started = time.perf_counter()
            try:
                reply = client.predict(work[i], api_name="/ask")
            except Exception as exc:
                with lock:
                    errors.append(f"{work[i][:40]}: {exc!r}")
                continue
            elapsed = time.perf_counter() - started
            ok = bool(reply["citations"]) if not reply["declined"] else bool(reply["closest"])
            with lock:
                latencies.append(elapsed)
                if not ok or reply["error"]:
                    uncited.append(work[i])

    try:
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=800)
        wall = time.perf_counter() - started
    finally:
        server.stop()
    assert not errors, errors[:5]
    assert not uncited, uncited[:5]
    assert len(latencies) == REQUESTS
    report = {
        "requests": REQUESTS, "clients": CLIENTS, "wall_s": round(wall, 2),
        "throughput_qps": round(REQUESTS / wall, 2),
        "p50_s": round(statistics.median(latencies), 3), "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nload: {REQUESTS} questions from {CLIENTS} clients in {wall:.1f}s "
          f"({report['throughput_qps']} q/s); p50 {report['p50_s']}s, p95 {report['p95_s']}s, "
          f"max {report['max_s']}s")
