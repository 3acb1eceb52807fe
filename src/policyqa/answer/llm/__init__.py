"""The OpenAI-compatible backend: prompts and leak guard, the streaming HTTP client, and the backend that
checks a model's answer.
"""
