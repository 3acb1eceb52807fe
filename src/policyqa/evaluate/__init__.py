"""`policyqa eval`: question files, retrieval metrics, the run over a question set, and its reports."""
