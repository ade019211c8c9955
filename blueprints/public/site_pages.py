"""Pages for readers: GET /page/<path> (the chain of slugs)."""

from flask import abort

from bantin import site_pages
from bantin.reader import render_page
from blueprints.public.blueprint import bp


@bp.get("/page/<path:path>")
def site_page(path: str):
    """A published page whose ancestors are all published; anything else is 404."""
    chain = site_pages.find_by_path(path)
    if chain is None:
        abort(404)
    # Breadcrumbs and children are only needed when the cached page is (re)built.
    return render_page(
        "public/site_pages/page.html",
        lazy_context=lambda: {"view": site_pages.reader_view(chain)},
        page=chain[-1],
    )
