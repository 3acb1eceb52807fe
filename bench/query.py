"""Vector-search latency, throughput and recall@10 at 1e3..1e6 chunks, for the FAISS index types we use.

    python bench/query.py                                 # quick: 1e3,1e4,1e5 chunks, random + clustered
    python bench/query.py --sizes 1e6 --data clustered    # the 1e6 target (HNSW build takes a while)

Vectors: the real corpus chunk vectors (when an index exists) topped up with synthetic unit vectors of
the model's dimension (512). `random` = uniform on the sphere (the hardest case for any ANN index);
`clustered` = topic clusters in an anisotropic space matched to the real USE vectors (mean cosine,
participation ratio; printed with each result). Queries are
fresh draws from the same distribution. Exact search (IndexFlatIP) gives the ground truth for
recall@10. Latency is the vector search alone, through policyqa's FaissStore.search (k=10), measured
with 1 client and with 8 concurrent client threads; FAISS builds with all cores and searches with one
OpenMP thread per query (--search-threads), as OpenMP spinning hurts single-query latency badly when
the cores are busy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, machine_line, parse_sizes, write_json

from policyqa.index.vectors import FaissStore

DIM = 512
K = 10
TOPIC_SIZE = 250


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def real_vectors() -> np.ndarray:
    """Chunk vectors of the repo's index/, if one was built (else none)."""
    from policyqa.index.reader import Index

    folder = Index.current_build(ROOT / "index")
    if folder is None or not (folder / "vectors.npy").exists():
        return np.zeros((0, DIM), dtype=np.float32)
    return np.load(folder / "vectors.npy").astype(np.float32)


class Clusters:
    """Topic clusters in an anisotropic space, shaped like real sentence embeddings.

    Real USE chunk vectors of the bundled corpus share a common direction (mean cosine ~0.37) and their
    variance is concentrated in few directions (participation ratio ~28 of 512). This draws
    x = 0.6*mu + 0.8*(0.7*topic + 0.7*noise) with topic and noise Gaussian under a power-law spectrum
    (std of axis i ~ i^-0.5), then normalises; `spectrum_stats` checks the resemblance. The number of
    topics grows with the corpus (one per TOPIC_SIZE chunks, at least 200), so the ten neighbours of a
    query must be picked from a few hundred near-identical chunks at every size.
    """

    def __init__(self, seed: int, n_topics: int) -> None:
        rng = np.random.default_rng(seed + 1)
        self.scale = np.arange(1, DIM + 1, dtype=np.float32) ** -0.5
        self.scale /= np.linalg.norm(self.scale)
        self.perm = rng.permutation(DIM)  # spread the strong axes so nothing is axis-aligned with mu
        self.mu = unit(rng.standard_normal((1, DIM)))[0]
        self.topics = self._shaped(rng, n_topics)

    def _shaped(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return (rng.standard_normal((n, DIM)).astype(np.float32) * self.scale)[:, self.perm]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, DIM), dtype=np.float32)
        for start in range(0, n, 50_000):
            m = min(50_000, n - start)
            topic = self.topics[rng.integers(0, len(self.topics), m)]
            x = 0.6 * self.mu + 0.8 * (0.7 * topic + 0.7 * self._shaped(rng, m))
            out[start : start + m] = unit(x)
        return out


def spectrum_stats(vectors: np.ndarray) -> dict:
    """Mean pairwise cosine and participation ratio of the centred vectors (on up to 2,000 rows)."""
    v = vectors[:2000].astype(np.float64)
    n = len(v)
    if n < 3:
        return {}
    sims = v @ v.T
    mean_cos = (sims.sum() - n) / (n * n - n)
    eig = np.linalg.svd(v - v.mean(0), compute_uv=False) ** 2
    return {
        "mean_cos": round(float(mean_cos), 3),
        "participation_ratio": round(float(eig.sum() ** 2 / (eig**2).sum()), 1),
    }


def make_data(
    kind: str, n: int, n_queries: int, seed: int, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = real[: min(len(real), n)]
    extra = n - len(base)
    if kind == "random":
        synth = unit(rng.standard_normal((extra + n_queries, DIM)).astype(np.float32))
    else:  # a library grows in topics, not only in depth: one topic per TOPIC_SIZE chunks
        synth = Clusters(seed, max(200, n // TOPIC_SIZE)).sample(extra + n_queries, rng)
    data = np.concatenate([base, synth[:extra]]) if len(base) else synth[:extra]
    return np.ascontiguousarray(data), np.ascontiguousarray(synth[extra:])


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def latencies(store, queries: np.ndarray, clients: int, seconds: float) -> tuple[list[float], float]:
    """Per-query latencies (ms) and total queries/s with `clients` threads issuing one query at a time."""
    results: list[list[float]] = [[] for _ in range(clients)]
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(clients)

    def client(i: int) -> None:
        barrier.wait()
        j = i
        while time.perf_counter() < stop or not results[i]:
            q = queries[j % len(queries)][None, :]
            t = time.perf_counter()
            store.search(q, K)
            results[i].append((time.perf_counter() - t) * 1000)
            j += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    flat = [x for r in results for x in r]
    return flat, len(flat) / wall


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


class IVFStore:
    """Bench-only: IVF-Flat (inverted lists over k-means cells) with a given nprobe."""

    def __init__(self, nlist: int, nprobe: int) -> None:
        self.nlist, self.nprobe, self.index = nlist, nprobe, None

    def build(self, vectors: np.ndarray, seed: int = 0) -> None:
        import faiss

        quantizer = faiss.IndexFlatIP(DIM)
        self.index = faiss.IndexIVFFlat(quantizer, DIM, self.nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(len(vectors), min(len(vectors), self.nlist * 40), replace=False)]
        self.index.train(sample)
        self.index.add(vectors)

    def search(self, queries, k):
        import faiss

        return self.index.search(queries, k, params=faiss.SearchParametersIVF(nprobe=self.nprobe))


def run(args) -> dict:
    import faiss

    build_threads = faiss.omp_get_max_threads()
    info = machine()
    info["search_threads_per_query"] = args.search_threads
    print(machine_line(info))
    real = real_vectors()
    print(
        f"real corpus vectors: {len(real)} (from index/); synthetic above that; dim {DIM}; k={K}; "
        f"{args.queries} queries; {args.seconds}s per latency run"
    )
    rows = []
    header = (
        f"{'data':<9} {'chunks':>9} {'index':<7} {'params':<22} {'build s':>8} {'recall@10':>9} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'q/s 1':>7} {'p50 ms 8':>8} {'p95 ms 8':>8} {'q/s 8':>7}"
    )
    for kind in args.data.split(","):
        for n in parse_sizes(args.sizes):
            data, queries = make_data(kind, n, args.queries, args.seed, real)
            flat = FaissStore("flat")
            t = time.perf_counter()
            flat.build(data)
            flat_build = time.perf_counter() - t
            truth = flat.search(queries, K)[1]
            candidates = [("flat", "", flat, flat_build)]
            if "hnsw" in args.index and n > 1000:
                store = FaissStore("hnsw", hnsw_m=args.hnsw_m, ef_construction=args.ef_construction)
                t = time.perf_counter()
                store.build(data)
                build = time.perf_counter() - t
                for ef in parse_sizes(args.ef_search):
                    clone = FaissStore("hnsw", hnsw_m=args.hnsw_m, ef_search=ef)
                    clone.index = store.index
                    candidates.append(
                        ("hnsw", f"M={args.hnsw_m} efC={args.ef_construction} ef={ef}", clone, build)
                    )
            if "ivf" in args.index and n >= 10_000:
                nlist = int(4 * np.sqrt(n))
                store = IVFStore(nlist, 1)
                t = time.perf_counter()
                store.build(data, args.seed)
                build = time.perf_counter() - t
                for nprobe in parse_sizes(args.nprobe):
                    clone = IVFStore(nlist, nprobe)
                    clone.index = store.index
                    candidates.append(("ivf", f"nlist={nlist} nprobe={nprobe}", clone, build))
            faiss.omp_set_num_threads(args.search_threads)
            stats = spectrum_stats(data[len(real) :] if n > len(real) + 2 else data)
            print(f"\n{kind}, {n:,} chunks; synthetic part {stats} ({machine_line(info)})")
            print(header)
            for name, params, store, build in candidates:
                found = store.search(queries, K)[1]
                recall = recall_at_k(found, truth)
                lat1, qps1 = latencies(store, queries, 1, args.seconds)
                lat8, qps8 = latencies(store, queries, 8, args.seconds)
                row = dict(
                    data=kind,
                    chunks=n,
                    index=name,
                    params=params,
                    build_s=round(build, 2),
                    recall_at_10=round(recall, 4),
                    p50_ms=round(statistics.median(lat1), 3),
                    p95_ms=round(p95(lat1), 3),
                    qps_1=round(qps1, 1),
                    p50_ms_8=round(statistics.median(lat8), 3),
                    p95_ms_8=round(p95(lat8), 3),
                    qps_8=round(qps8, 1),
                )
                row.update(stats)
                rows.append(row)
                print(
                    f"{kind:<9} {n:>9,} {name:<7} {params:<22} {build:>8.1f} {recall:>9.3f} "
                    f"{row['p50_ms']:>7.2f} {row['p95_ms']:>7.2f} {qps1:>7.0f} {row['p50_ms_8']:>8.2f} "
                    f"{row['p95_ms_8']:>8.2f} {qps8:>7.0f}",
                    flush=True,
                )
            faiss.omp_set_num_threads(build_threads)
            del data, flat, candidates
    return {"machine": info, "faiss_threads": faiss.omp_get_max_threads(), "args": vars(args), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1e3,1e4,1e5", help="comma-separated chunk counts (e.g. 1e3,1e4,1e5,1e6)"
    )
    parser.add_argument("--data", default="random,clustered", help="random and/or clustered")
    parser.add_argument("--index", default="flat,hnsw", help="index types: flat,hnsw[,ivf]")
    parser.add_argument("--hnsw-m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=80)
    parser.add_argument("--ef-search", default="32,64,128,256")
    parser.add_argument("--nprobe", default="8,16,32,64")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each latency run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--search-threads",
        type=int,
        default=1,
        help="FAISS OpenMP threads per query (1: parallelism comes from concurrent clients)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "query.json")
    args = parser.parse_args(argv)
    write_json(args.out, run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
