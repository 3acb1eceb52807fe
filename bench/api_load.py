"""Load on the OpenAI-compatible API against the in-process answer rate, measured in the same run.

    .venv/bin/python bench/api_load.py --index /tmp/bench_index --n 200 --clients 16

1. in process: one Answerer answers the N questions one after another (the rate the API is held to);
   `--profile` runs that pass under cProfile and prints where the time goes;
2. the real `policyqa serve` on a free loopback port, the same index: `--clients` threads each post
   questions to /v1/chat/completions (non-streaming) until all N are answered.
Prints p50/p95 latency, throughput, the ratio API/in-process, the machine, the corpus and the model, and
writes JSON to bench/results/. Every reply must be a 200 with content; failures are counted, not hidden.
CPU seconds per question are reported beside the rates (in process; the server's, from /proc; the client
threads'): on a shared machine they move far less than wall time, and server minus in process is what the
web path costs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import ROOT, machine, machine_line, write_json

READY = "policyqa is ready:"


def questions(path: Path, n: int) -> list[str]:
    """N questions, the file repeated as often as needed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pool = [json.loads(line)["question"] for line in lines if line.strip()]
    return [pool[i % len(pool)] for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def in_process(settings, asked: list[str], profile: bool) -> dict:
    """The Answerer alone, one question at a time: questions per second and latency."""
    from policyqa.answer.answerer import Answerer

    answerer = Answerer.open(settings)
    answerer.warm_up()
    profiler = cProfile.Profile() if profile else None
    latencies = []
    started, cpu = time.perf_counter(), time.process_time()
    for question in asked:
        t = time.perf_counter()
        if profiler:
            profiler.runcall(answerer.ask, question)
        else:
            answerer.ask(question)
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - started
    result = summary(latencies, wall, len(asked))
    result["cpu_ms_per_q"] = round(1000 * (time.process_time() - cpu) / len(asked), 2)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        result["profile"] = out.getvalue()
    n_docs, n_chunks = answerer.stats
    result["corpus"] = {"documents": n_docs, "chunks": n_chunks}
    return result


def summary(latencies: list[float], wall: float, n: int) -> dict:
    return {"n": n, "seconds": round(wall, 2), "qps": round(n / wall, 2),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "NO_PROXY": "127.0.0.1,localhost", "POLICYQA_SERVE_CONCURRENCY": str(args.concurrency)}
    cmd = [sys.executable, "-m", "policyqa.cli", "serve", "--corpus", str(args.corpus), "--index",
           str(args.index), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if READY in log.read_text(errors="replace"):
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"policyqa serve exited:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("policyqa serve was not ready in 600 s")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def over_api(url: str, asked: list[str], clients: int, server_pid: int) -> dict:
    """`clients` threads, each with its own connection, post until every question is answered."""
    import httpx

    pending = list(enumerate(asked))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def worker() -> None:
        with httpx.Client(timeout=600, trust_env=False) as http:
            while True:
                with lock:
                    if not pending:
                        return
                    _, question = pending.pop()
                body = {"model": "policyqa", "messages": [{"role": "user", "content": question}]}
                t = time.perf_counter()
                reply = http.post(f"{url}/v1/chat/completions", json=body)
                elapsed = time.perf_counter() - t
                ok = reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        failures.append(f"{reply.status_code}: {reply.text[:200]}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started, server_cpu, client_cpu = time.perf_counter(), process_cpu(server_pid), own_cpu()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = summary(latencies, time.perf_counter() - started, len(asked))
    server_end = process_cpu(server_pid)
    if server_cpu is not None and server_end is not None:
        result["server_cpu_ms_per_q"] = round(1000 * (server_end - server_cpu) / len(asked), 2)
    result["client_cpu_ms_per_q"] = round(1000 * (own_cpu() - client_cpu) / len(asked), 2)
    result.update(clients=clients, failures=len(failures), failure_examples=failures[:3])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a built index (policyqa ingest)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--n", type=int, default=200, help="questions asked on each side")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="POLICYQA_SERVE_CONCURRENCY of the server: questions answered at once")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process pass")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "api_load.json")
    args = parser.parse_args()

    from policyqa.settings import Settings

    settings = Settings(corpus_dir=args.corpus, index_dir=args.index)
    asked = questions(args.questions, args.n)
    local = in_process(settings, asked, args.profile)
    port = free_port()
    log = args.out.with_suffix(".serve.log")
    server = start_server(args, port, log)
    try:
        api = over_api(f"http://127.0.0.1:{port}", asked, args.clients, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    info = machine()
    ratio = round(api["qps"] / local["qps"], 3)
    print(machine_line(info))
    print(f"corpus: {local['corpus']['documents']} documents, {local['corpus']['chunks']} chunks; "
          f"model: {settings.embedder}; backend: {settings.backend}; server concurrency {args.concurrency}")
    print(f"in process : {local['qps']:.1f} q/s, p50 {local['p50_ms']:.1f} ms, p95 {local['p95_ms']:.1f} ms "
          f"({args.n} questions, one at a time)")
    print(f"API x{args.clients:<3}   : {api['qps']:.1f} q/s, p50 {api['p50_ms']:.1f} ms, "
          f"p95 {api['p95_ms']:.1f} ms, {api['failures']} failures")
    print(f"API / in-process throughput: {ratio:.2f}  (targets: p95 < 1000 ms, ratio >= 0.5)")
    server_cpu = api.get("server_cpu_ms_per_q", float("nan"))
    print(f"CPU per question: in process {local['cpu_ms_per_q']:.1f} ms, server {server_cpu:.1f} ms, "
          f"client threads {api['client_cpu_ms_per_q']:.1f} ms")
    if local.get("profile"):
        print(local["profile"])
    write_json(args.out, {"machine": info, "settings": {"clients": args.clients, "n": args.n,
                                                        "concurrency": args.concurrency,
                                                        "embedder": settings.embedder,
                                                        "backend": settings.backend},
                          "in_process": {k: v for k, v in local.items() if k != "profile"}, "api": api,
                          "ratio": ratio})
    return 1 if api["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
