"""Answers with citations: question limits, the refusal rule, the extractive backend, citation checks, the LLM
backend (llm/) and the Answerer that runs them.
"""
