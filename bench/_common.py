"""Shared by the benchmarks: machine description, JSON output, small timing helpers."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(threads: int | None = None) -> dict:
    """What the numbers were measured on; printed and stored with every result."""
    import faiss
    import numpy as np

    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": threads if threads is not None else faiss.omp_get_max_threads(),
        "faiss_omp_threads": faiss.omp_get_max_threads(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "faiss": faiss.__version__,
        "platform": platform.platform(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    return info


def machine_line(info: dict) -> str:
    return (
        f"machine: {info['cpu']}, {info['cores']} cores, {info['threads']} threads, "
        f"{info['memory_gib']} GiB, load {os.getloadavg()[0]:.1f}; "
        f"python {info['python']}, numpy {info['numpy']}, faiss {info['faiss']}"
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"written_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **payload}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"results written to {path}")


def parse_sizes(text: str) -> list[int]:
    """'1e3,10000,1e5' -> [1000, 10000, 100000]."""
    return [int(float(part)) for part in text.split(",") if part.strip()]
