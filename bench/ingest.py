"""Ingest throughput: documents/s, chunks/s and peak memory, cold and warm, against a LangChain baseline.

    python bench/ingest.py                          # bundled corpus + 1,000 synthetic documents
    python bench/ingest.py --sizes corpus,1000,10000

Each size runs in its own subprocess so peak memory (ru_maxrss) belongs to that size alone. What a process
loads once is timed apart before the runs: the embedding model, and the keyword index's tools (jieba's
dictionary, bm25s):
  cold      empty index -> full ingest (read, clean, chunk, embed, FAISS + BM25, atomic commit)
  warm      the same ingest again with nothing changed: must embed 0 chunks (vectors are reused by
            embedded-text hash) and take seconds
  encode    the embedder alone on the passages and sentences the cold run embedded (model loaded): the
            share of the cold ingest that is the model's own work
  langchain the pipeline a user would write: read files, RecursiveCharacterTextSplitter() with its
            defaults, the same USE model (same threads and batch size), faiss.IndexFlatIP
Synthetic corpora recombine paragraphs of corpus/ into new .txt files (fixed seed, temp dir).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, machine_line, peak_rss_mib, write_json


def paragraphs(corpus: Path) -> list[str]:
    out = []
    for path in sorted(corpus.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = block.strip()
            if len(block) >= 20:
                out.append(block)
    return out


_SENTENCE_END = re.compile(r"(?=[。！？；]|[.!?](?:\s|$))")


def synthesise(corpus: Path, target: Path, n_docs: int, seed: int, per_doc: tuple[int, int]) -> None:
    """n_docs .txt files, each a title line plus per_doc paragraphs drawn from the corpus (deterministic).

    Every sentence carries the document's number ("〔00042〕"), so no passage or sentence repeats
    another document's: recombined paragraphs would otherwise be embedded once and copied, and the
    benchmark would time the cache instead of the model (a real library repeats far less).
    """
    rng = random.Random(seed)
    pool = paragraphs(corpus)
    target.mkdir(parents=True, exist_ok=True)
    for i in range(n_docs):
        body = [_SENTENCE_END.sub(f"〔{i:05d}〕", p) for p in rng.sample(pool, rng.randint(*per_doc))]
        title = f"关于药品政策的合成通知（第{i:05d}号） Synthetic policy notice {i:05d}"
        (target / f"synthetic_{i:05d}.txt").write_text(
            title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8"
        )


def run_ours(corpus: Path, index: Path) -> dict:
    from policyqa.index.build import ingest
    from policyqa.settings import Settings

    settings = Settings(corpus_dir=corpus, index_dir=index)
    out = {"embed_threads": settings.embed_threads, "embed_batch_size": settings.embed_batch_size}
    for phase in ("cold", "warm"):
        t = time.perf_counter()
        result = ingest(settings)
        seconds = time.perf_counter() - t
        out[phase] = {
            "seconds": round(seconds, 2),
            "documents": result.n_documents,
            "chunks": result.n_chunks,
            "embedded": result.embedded,
            "reused": result.reused,
            "docs_per_s": round(result.n_documents / seconds, 2),
            "chunks_per_s": round(result.n_chunks / seconds, 2),
            "peak_rss_mib": round(peak_rss_mib(), 1),
        }
    out["encode_only"] = encode_only(settings)
    out["encode_share_of_cold"] = round(out["encode_only"]["seconds"] / out["cold"]["seconds"], 3)
    return out


def encode_only(settings) -> dict:
    """The embedder alone on what the cold run embedded (its distinct passages and distinct sentences), in
    the same process with the model loaded: the floor a cold ingest is measured against."""
    from policyqa.embedding import embedder_for
    from policyqa.index.reader import Index
    from policyqa.text.sentences import chunk_sentences

    build = Index.current_build(Path(settings.index_dir))
    with (build / "chunks.jsonl").open(encoding="utf-8") as handle:
        passages = list(dict.fromkeys(json.loads(line)["text"] for line in handle))
    sentences = list(dict.fromkeys(s for text in passages for s in chunk_sentences(text)))
    embedder = embedder_for(settings)
    t = time.perf_counter()
    embedder.encode(passages)
    embedder.encode(sentences)
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "passages": len(passages), "sentences": len(sentences)}


def run_langchain(corpus: Path) -> dict:
    """What a user would write: plain read, default RecursiveCharacterTextSplitter, same model, FlatIP."""
    import faiss
    import numpy as np
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from policyqa.embedding import embedder_for
    from policyqa.settings import Settings

    settings = Settings()
    embedder = embedder_for(settings)
    t = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter()
    texts = []
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
    for path in files:
        texts.extend(splitter.split_text(path.read_text(encoding="utf-8")))
    vectors = embedder.encode(texts)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors))
    seconds = time.perf_counter() - t
    return {
        "seconds": round(seconds, 2),
        "documents": len(files),
        "chunks": len(texts),
        "docs_per_s": round(len(files) / seconds, 2),
        "chunks_per_s": round(len(texts) / seconds, 2),
        "splitter": "RecursiveCharacterTextSplitter() defaults: chunk_size=4000 chars, overlap=200",
    }


def load_keyword_tools() -> float:
    """Seconds to load what the BM25 build needs once per process (jieba's dictionary, bm25s with numba and
    scipy): reported apart, like the embedding model, so `cold` is one ingest's own work."""
    from policyqa.index.lexical import LexicalIndex

    t = time.perf_counter()
    LexicalIndex().build(["药品 warm up"])
    return time.perf_counter() - t


def one(size: str, seed: int, per_doc: tuple[int, int], skip_baseline: bool) -> dict:
    """One size, in this process: generate, warm up the model, ingest cold and warm, run the baseline."""
    from policyqa.embedding import embedder_for
    from policyqa.settings import Settings

    settings = Settings()
    t = time.perf_counter()
    embedder_for(settings).encode_query("warm up")
    load_s = time.perf_counter() - t
    keyword_s = load_keyword_tools()
    with tempfile.TemporaryDirectory(prefix="policyqa-bench-") as tmp:
        if size == "corpus":
            corpus = ROOT / "corpus"
        else:
            corpus = Path(tmp) / "corpus"
            synthesise(ROOT / "corpus", corpus, int(size), seed, per_doc)
        corpus_mib = sum(p.stat().st_size for p in corpus.iterdir()) / 2**20
        result = {
            "size": size,
            "corpus_mib": round(corpus_mib, 2),
            "model_load_s": round(load_s, 2),
            "keyword_tools_load_s": round(keyword_s, 2),
            "model": settings.embedder,
        }
        result.update(run_ours(corpus, Path(tmp) / "index"))
        fresh = result["cold"]["seconds"] + keyword_s
        result["cold_with_keyword_tools_s"] = round(fresh, 2)
        result["encode_share_of_cold_with_keyword_tools"] = round(result["encode_only"]["seconds"] / fresh, 3)
        if not skip_baseline:
            result["langchain"] = run_langchain(corpus)
            result["ratio_ours_cold_over_langchain"] = round(
                result["cold"]["seconds"] / result["langchain"]["seconds"], 2
            )
    return result


def show(result: dict, info: dict) -> None:
    print(
        f"\n== {result['size']} ({result['corpus_mib']} MiB of text; model {result['model']}, "
        f"{result['embed_threads']} embed threads, batch {result['embed_batch_size']}; "
        f"model load {result['model_load_s']}s, keyword tools load {result['keyword_tools_load_s']}s)"
        f"\n   {machine_line(info)}"
    )
    print(
        f"   {'run':<10} {'docs':>7} {'chunks':>8} {'embedded':>8} {'seconds':>9} {'docs/s':>8} "
        f"{'chunks/s':>9} {'peak MiB':>9}"
    )
    for phase in ("cold", "warm", "langchain"):
        r = result.get(phase)
        if r:
            print(
                f"   {phase:<10} {r['documents']:>7} {r['chunks']:>8} {r.get('embedded', r['chunks']):>8} "
                f"{r['seconds']:>9.2f} {r['docs_per_s']:>8.1f} {r['chunks_per_s']:>9.1f} "
                f"{r.get('peak_rss_mib', float('nan')):>9.0f}"
            )
    if "encode_only" in result:
        enc = result["encode_only"]
        print(f"   encode only ({enc['passages']} passages + {enc['sentences']} sentences, model loaded): "
              f"{enc['seconds']:.2f} s = {result['encode_share_of_cold']:.0%} of the cold ingest, "
              f"{result['encode_share_of_cold_with_keyword_tools']:.0%} of it with the keyword tools' load "
              f"({result['cold_with_keyword_tools_s']:.2f} s, as a fresh `policyqa ingest` pays it)")
    if "ratio_ours_cold_over_langchain" in result:
        print(f"   ingest time ours(cold) / langchain = {result['ratio_ours_cold_over_langchain']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="corpus,1000", help="'corpus' and/or synthetic document counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--paragraphs", default="4,12", help="min,max paragraphs per synthetic document")
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain-style baseline")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = parser.parse_args(argv)
    per_doc = tuple(int(x) for x in args.paragraphs.split(","))
    if args.one:
        print(json.dumps(one(args.one, args.seed, per_doc, args.no_baseline)))
        return 0
    info = machine()
    print(machine_line(info))
    results = []
    for size in args.sizes.split(","):
        cmd = [
            sys.executable,
            __file__,
            "--one",
            size,
            "--seed",
            str(args.seed),
            "--paragraphs",
            args.paragraphs,
        ]
        if args.no_baseline:
            cmd.append("--no-baseline")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        info = machine()
        result["machine"] = info
        results.append(result)
        show(result, info)
    write_json(args.out, {"machine": info, "args": vars(args), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
