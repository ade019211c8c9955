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
    view = site_pages.reader_view(chain)
    return render_page("public/site_pages/page.html", view=view, page=view.page)
