"""Many users at once: 200 questions from 16 concurrent gradio_client clients against a running server.

Bounded (a fixed number of requests, then it stops), loopback only. A load test measures and reports; it
asserts only what does not depend on how busy the machine is: every question gets a reply (none lost,
none failed), and every reply is an answer with citations or a decline that still lists the closest
passages. Latency and throughput are printed and written to artifacts/load.json with the machine's
load average, never asserted: on a shared 2-core machine they say as much about the neighbours as
about policyqa. Client timeouts are generous for the same reason (a 5 s default timed out on a busy
machine); the server's Gradio queue makes it degrade by queueing, so clients wait longer and none is
refused.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from pathlib import Path

import pytest

from conftest import load_questions

pytestmark = pytest.mark.slow

CLIENTS = 16
REQUESTS = 200
CLIENT_TIMEOUT_S = 600.0  # per HTTP call; only a hung server should ever reach it
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Tally:
    """What the clients saw, shared between their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.uncited: list[str] = []

    def error(self, what: str, exc: Exception) -> None:
        with self.lock:
            self.errors.append(f"{what}: {exc!r}")

    def reply(self, question: str, reply: dict, elapsed: float) -> None:
        ok = bool(reply["citations"]) if not reply["declined"] else bool(reply["closest"])
        with self.lock:
            self.latencies.append(elapsed)
            if not ok or reply["error"]:
                self.uncited.append(question)


def ask_share(url: str, me: int, work: list[str], tally: Tally) -> None:
    """Client `me` asks every CLIENTS-th question of `work`, one after another, as one user would."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": CLIENT_TIMEOUT_S})
    except Exception as exc:
        tally.error(f"client {me}", exc)
        return
    for question in work[me::CLIENTS]:
        started = time.perf_counter()
        try:
            reply = client.predict(question, api_name="/ask")
        except Exception as exc:
            tally.error(question[:40], exc)
            continue
        tally.reply(question, reply, time.perf_counter() - started)


def report(tally: Tally, wall: float) -> dict:
    latencies = tally.latencies or [float("nan")]
    return {
        "requests": REQUESTS, "clients": CLIENTS, "replies": len(tally.latencies),
        "errors": len(tally.errors), "wall_s": round(wall, 2),
        "throughput_qps": round(len(tally.latencies) / wall, 2),
        "p50_s": round(statistics.median(latencies), 3), "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3), "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


@pytest.mark.timeout(3600)  # a hang guard only: a slow machine must not fail this test
def test_200_questions_from_16_clients_all_answered(open_server):
    server = open_server  # conftest: shared with the browser and compare tests of this worker
    assert server.url.startswith("http://127.0.0.1:")
    questions = [q["question"] for q in load_questions()]
    work = [questions[i % len(questions)] for i in range(REQUESTS)]
    tally = Tally()
    started = time.perf_counter()
    threads = [threading.Thread(target=ask_share, args=(server.url, n, work, tally), daemon=True)
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    result = report(tally, wall)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"\nload: {result['replies']}/{REQUESTS} questions from {CLIENTS} clients in {wall:.1f}s "
          f"({result['throughput_qps']} q/s); p50 {result['p50_s']}s, p95 {result['p95_s']}s, "
          f"max {result['max_s']}s; load average {result['load_average_1min']} on {result['cpus']} CPUs")
    assert not tally.errors, tally.errors[:5]
    assert len(tally.latencies) == REQUESTS, "every question gets a reply"
    assert not tally.uncited, tally.uncited[:5]
