"""Ground-floor text utilities shared by every stage: language detection, sentence spans, figures, place names
and the keyword tokenizer (versioned; recorded in index manifests).
"""
