"""The baseline: a bare Flask app whose one route returns a constant page.

bench/run.py serves it with the same gunicorn settings as Bantin, pointing BENCH_PAGE at a
saved copy of a real Bantin article page, so the ratio "Bantin / bare Flask" measures
only what Bantin does per request. Without BENCH_PAGE it serves a generated ~11 KB page.
"""

import os
from pathlib import Path

from flask import Flask, Response


def _fallback_page() -> bytes:
    paragraph = (
        "<p>Ủy ban nhân dân xã tổ chức hội nghị tổng kết công tác phòng chống thiên tai, "
        "tìm kiếm cứu nạn năm qua và triển khai nhiệm vụ trọng tâm trong thời gian tới.</p>"
    )
    body = paragraph * 60
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Bản tin</title></head><body><main>" + body + "</main></body></html>"
    ).encode()


_path = os.environ.get("BENCH_PAGE")
PAGE = Path(_path).read_bytes() if _path else _fallback_page()

app = Flask(__name__)


@app.get("/")
@app.get("/<path:_any>")
def page(_any: str = "") -> Response:
    """The same bytes for every path."""
    return Response(PAGE, mimetype="text/html")
