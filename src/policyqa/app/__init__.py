"""The browser chat (`policyqa serve`). Ask in Chinese or English, read the cited passages, open the source.

Everything shown from a document is HTML-escaped: passages are untrusted data, never markup. The viewer
only shows documents that are in the loaded index (looked up by id, never by path), and uploads are
written only inside `<corpus>/uploads/` under sanitised names.
"""

import os

# before Gradio is first imported: no analytics calls home, no model hub
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
