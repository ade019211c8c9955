"""Request-bound helpers: code that reads Flask's request (or hooks into every request).

headers      security headers on every response, Secure cookies under HTTPS
readonly     read-only mode: a clear 503 for writes when SQLite cannot write
input_guard  malformed paths, query strings and form fields answer 400
net          the client's address and the key rate limits count by
paging       the ?page= argument and one pagination helper
jinja        the Jinja environment: filters, the layout global, per-request parts
"""

# Requests that never change data (the read-only mode and the input guard both use this).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
