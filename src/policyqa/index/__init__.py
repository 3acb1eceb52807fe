"""The on-disk index: what a build records (manifest), vector stores (vectors), the BM25 wrapper (lexical),
reading a build (reader), writing one atomically (writer) and the ingest pipeline that makes one (build).

Layout of `index/`::

    CURRENT              name of the build in use (replaced atomically)
    builds/<build>/      manifest.json, documents.jsonl, chunks.jsonl, vectors.npy, vectors.faiss, bm25/,
                         sentences.npy, sentence_offsets.npy
    .lock                held while an ingest writes

A build is written in full beside the current one and only then named in CURRENT (write + fsync +
os.replace), so a killed ingest leaves the previous build in use, complete; never a mix.
"""
