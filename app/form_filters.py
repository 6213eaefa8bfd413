"""Filters every text field applies before validation."""

import re

# C0 controls except tab and newline: PostgreSQL refuses NUL in text, and none of them
# belongs in a name, a title or an address. Bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) go too: they can make a title read backwards on the page.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(value):
    """Trim and drop control characters; other values (None, files) pass through."""
    return _CONTROLS.sub("", value).strip() if isinstance(value, str) else value
