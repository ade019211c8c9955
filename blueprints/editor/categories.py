"""Categories (admin): list, create, rename, slug, reorder, delete when empty."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bantin import audit, cache
from bantin.extensions import db
from bantin.models import Article, Category
from bantin.permissions import Capability, requires
from bantin.text import slugify
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import CategoryForm

ID = "int(max=2147483647)"


def _rows() -> list[tuple[Category, int]]:
    """Categories in menu order with how many articles (any status) each holds."""
    counts = (
        sa.select(Article.category_id, sa.func.count(Article.id).label("n"))
        .group_by(Article.category_id)
        .subquery()
    )
    stmt = (
        sa.select(Category, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.id)
    )
    return [(cat, int(n)) for cat, n in db.session.execute(stmt)]


def _list_page(error: str | None = None, status: int = 200):
    return render_template("editor/categories.html", rows=_rows(), error=error), status


@bp.get("/categories")
@requires(Capability.MANAGE_CATEGORIES)
def categories():
    """All categories in menu order."""
    return _list_page()


def _slug_taken(slug: str, category_id: int | None) -> bool:
    stmt = sa.select(Category.id).where(Category.slug == slug)
    if category_id is not None:
        stmt = stmt.where(Category.id != category_id)
    return db.session.scalar(stmt) is not None


def _save(form: CategoryForm, category: Category | None):
    """Validate the slug, apply the form; None when the form must be shown again."""
    slug = slugify(form.slug.data or form.name.data, max_length=140)
    if _slug_taken(slug, category.id if category else None):
        form.slug.errors.append(_("Đường dẫn “%(slug)s” đã được dùng.", slug=slug))
        form.slug.data = slug
        return None
    creating = category is None
    if category is None:
        top = db.session.scalar(sa.select(sa.func.max(Category.position)))
        category = Category(position=(top or 0) + 1)
        db.session.add(category)
    old = (category.name, category.slug)
    category.name = form.name.data
    category.slug = slug
    category.description = form.description.data or ""
    if form.position.data is not None:
        category.position = form.position.data
    db.session.flush()
    if creating:
        audit.record("category.create", "category", category.id, f"{category.name} ({slug})")
    else:
        audit.record(
            "category.update",
            "category",
            category.id,
            f"{old[0]} ({old[1]}) -> {category.name} ({slug})",
        )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same slug saved a moment ago by someone else
        db.session.rollback()
        form.slug.errors.append(_("Đường dẫn “%(slug)s” đã được dùng.", slug=slug))
        return None
    return category


@bp.route("/categories/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_CATEGORIES)
def category_new():
    """Create a category."""
    form = CategoryForm()
    if request.method == "POST":
        if form.validate() and _save(form, None) is not None:
            flash(_("Đã thêm chuyên mục “%(name)s”.", name=form.name.data), "success")
            return redirect(url_for("editor.categories"), 303)
        return render_template("editor/category_form.html", form=form, category=None), 400
    return render_template("editor/category_form.html", form=form, category=None)


@bp.route(f"/categories/<{ID}:category_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_CATEGORIES)
def category_edit(category_id: int):
    """Rename a category, change its slug, description or position."""
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    if request.method == "POST":
        if form.validate() and _save(form, category) is not None:
            flash(_("Đã lưu chuyên mục “%(name)s”.", name=category.name), "success")
            return redirect(url_for("editor.categories"), 303)
        return (
            render_template("editor/category_form.html", form=form, category=category),
            400,
        )
    return render_template("editor/category_form.html", form=form, category=category)


@bp.post(f"/categories/<{ID}:category_id>/move")
@requires(Capability.MANAGE_CATEGORIES)
def category_move(category_id: int):
    """Move a category one place up or down in the menu."""
    category = db.get_or_404(Category, category_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        return _list_page(_("Hướng di chuyển không hợp lệ."), 400)
    ordered = list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)))
    index = ordered.index(category)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumber from 1 so equal or sparse positions never make a move a no-op.
    for position, cat in enumerate(ordered, start=1):
        cat.position = position
    audit.record("category.move", "category", category.id, f"{category.name} {direction}")
    db.session.commit()
    return redirect(url_for("editor.categories") + f"#category-{category.id}", 303)


@bp.post(f"/categories/<{ID}:category_id>/delete")
@requires(Capability.MANAGE_CATEGORIES)
def category_delete(category_id: int):
    """Delete an empty category; one that still holds articles is refused with the reason."""
    category = db.get_or_404(Category, category_id)
    count = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.category_id == category.id)
    )
    if count:
        return _list_page(
            _(
                "Không thể xóa chuyên mục “%(name)s” vì còn %(count)d bài viết (kể cả bài "
                "trong thùng rác). Hãy chuyển các bài đó sang chuyên mục khác trước.",
                name=category.name,
                count=count,
            ),
            400,
        )
    name = category.name
    audit.record("category.delete", "category", category.id, f"{name} ({category.slug})")
    # A statement, not session.delete(): Category.articles is write-only and cannot be
    # loaded for the ORM's cascade (there is nothing to cascade: the count was 0).
    db.session.execute(
        sa.delete(Category)
        .where(Category.id == category.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expunge(category)
    cache.bump()  # readers' menus drop the category at once
    db.session.commit()
    flash(_("Đã xóa chuyên mục “%(name)s”.", name=name), "success")
    return redirect(url_for("editor.categories"), 303)
