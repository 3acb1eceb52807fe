"""Ranked, cited passages for a question: filters, glossary, BM25 coverage, dense scoring (sentence mix,
debias), fusion, reranking and near-duplicate removal, put together by the Retriever.
"""
