"""Start-up time of `policyqa serve` with an existing index: process start -> first answer over HTTP.

    python bench/startup.py [--index index] [--runs 3]

Builds the index first if it is missing (not timed). Each run starts a fresh `policyqa serve` on a free
loopback port and times (a) until the page answers HTTP 200 and (b) until the first question through
the `/ask` endpoint (gradio_client) comes back with citations, then stops the server. Prints medians.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, machine_line, write_json

QUESTION = "创新药首发挂网的受理省份由谁确定？"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


def one_run(index: Path) -> dict:
    from gradio_client import Client

    port = free_port()
    command = [sys.executable, "-m", "policyqa.cli", "serve", "--index", str(index), "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url, process)
        page = time.perf_counter() - started
        result = Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        answer = time.perf_counter() - started
        if "[1]" not in str(result):
            raise RuntimeError(f"first answer has no citation: {str(result)[:200]}")
        return {"page_s": round(page, 2), "first_answer_s": round(answer, 2)}
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "startup.json")
    args = parser.parse_args()
    if not (args.index / "CURRENT").exists():
        subprocess.run([sys.executable, "-m", "policyqa.cli", "ingest", "--corpus", str(args.corpus),
                        "--index", str(args.index)], check=True, cwd=ROOT)
    info = machine()
    print(machine_line(info))
    runs = []
    for i in range(args.runs):
        runs.append(one_run(args.index))
        print(f"run {i + 1}: page {runs[-1]['page_s']} s, first cited answer {runs[-1]['first_answer_s']} s")
    summary = {key: statistics.median(r[key] for r in runs) for key in ("page_s", "first_answer_s")}
    print(f"median: page {summary['page_s']} s, first cited answer {summary['first_answer_s']} s "
          f"(target: under 10 s)")
    write_json(args.output, {"machine": info, "index": str(args.index), "runs": runs, "median": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main())
