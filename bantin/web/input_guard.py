"""The input guard: invalid UTF-8 or control characters in a request answer 400, never 500."""

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

from bantin.web import SAFE_METHODS

_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# Views that validate their own form fields answer a NUL byte with a message next to the
# field and keep what the reader typed, instead of a bare 400 page. Query strings get no
# such exception: nothing a reader types into a link or a search box needs a control code.
SELF_VALIDATING = frozenset({"public.comment_post"})

# Control characters refused in paths and query strings: C0 but TAB (a tab pasted from a
# spreadsheet into the search box is only whitespace), DEL and C1. docs/security.md
# promises 400 for them; before, /search?q=%00 answered 200.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _valid_text(raw: bytes) -> bool:
    """Valid UTF-8 without control characters (paths and decoded query strings)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


def reject_malformed_input():
    """Invalid UTF-8 or a control character in the path or the query string, or invalid
    UTF-8 or NUL in a form field: 400, never 500.

    WSGI hands over the path and query as latin-1 text of the raw bytes, so the bytes can
    be checked exactly; Werkzeug decodes form fields with U+FFFD for invalid bytes. Form
    fields may carry newlines and tabs (text areas), so only NUL is refused there.
    """
    environ = request.environ
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    query = unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1", "replace"))
    if not _valid_text(path) or not _valid_text(query):
        abort(400)
    if request.method in SAFE_METHODS or request.mimetype not in _FORM_TYPES:
        return None
    self_validating = request.endpoint in SELF_VALIDATING
    for key, values in request.form.lists():
        for text in (key, *values):
            if "\ufffd" in text or ("\x00" in text and not self_validating):
                abort(400)
    for storage in request.files.values():
        if storage.filename and ("\x00" in storage.filename or "\ufffd" in storage.filename):
            abort(400)
    return None


def register(app: Flask) -> None:
    app.before_request(reject_malformed_input)
