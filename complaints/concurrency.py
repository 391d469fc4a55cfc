"""Stale copies of what an edit form changes.

A workflow move refuses a form posted after someone else moved the case (workflow._lock checks
the state under a row lock). Edits of a record's text get the same protection: the form carries
a fingerprint of what it showed (its hidden `seen` field), and the service compares it, under a
row lock, with a fingerprint of what is saved now. A mismatch saves nothing and raises
StaleEdit; the page then shows what was saved meanwhile, keeps what the person typed, and a
second submit saves theirs knowingly.
"""

import hashlib
import json

from complaints.errors import StaleEdit


def fingerprint(*values) -> str:
    text = json.dumps(values, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def check(seen: str | None, current: str, what: str) -> None:
    """Raise StaleEdit unless the form saw what is saved now. A form without a fingerprint
    (an API call, a test) is not checked."""
    if seen and seen != current:
        raise StaleEdit(what, current)
