"""Articles in the editor: list, write, preview, trash, revisions."""

from __future__ import annotations

import math

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import load_only, selectinload

from bantin import articles as service
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.jinja import local_datetime
from bantin.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    User,
)
from bantin.paging import page_arg
from bantin.permissions import admin_required, staff_required
from bantin.sanitize import clean_html
from bantin.text import clean_line, fold
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_articles import ArticleForm

PER_PAGE = 20
MAX_PAGE = 100_000
ID = "int(max=9223372036854775807)"
STATUS_FILTERS = ("draft", "published", "scheduled", "deleted")
SORTS = ("updated", "published")


def _current_user() -> User:
    return current_user._get_current_object()


def _get_article(article_id: int) -> Article:
    article = db.session.scalar(
        sa.select(Article).where(Article.id == article_id).options(selectinload(Article.category))
    )
    if article is None:
        abort(404)
    return article


def _categories() -> list[Category]:
    return list(
        db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()
    )


# ---------------------------------------------------------------- the list


def _filtered(status: str, category_id: int | None, text: str) -> sa.Select:
    now = utcnow()
    stmt = sa.select(Article)
    if status == "draft":
        stmt = stmt.where(Article.status == ArticleStatus.DRAFT)
    elif status == "published":
        stmt = stmt.where(Article.visible_clause(now))
    elif status == "scheduled":
        stmt = stmt.where(Article.status == ArticleStatus.PUBLISHED, Article.published_at > now)
    elif status == "deleted":
        stmt = stmt.where(Article.status == ArticleStatus.DELETED)
    else:  # everything but the trash
        stmt = stmt.where(Article.status != ArticleStatus.DELETED)
    if category_id is not None:
        stmt = stmt.where(Article.category_id == category_id)
    if text:
        # Compare folded text (bantin_fold: lowercase, no marks, đ -> d) so "moi" and "Mới"
        # both find "mới": SQLite's own LIKE only folds the case of ASCII letters.
        folded = fold(text)
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.bantin_fold(Article.title).like(pattern, escape="\\"),
                sa.func.bantin_fold(Article.author_name).like(pattern, escape="\\"),
                Article.slug.like(pattern, escape="\\"),
            )
        )
    return stmt


@bp.get("/articles")
@staff_required
def articles():
    """Articles: filter by status, category and text; sort; paginate."""
    status = request.args.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    sort = request.args.get("sort", "updated")
    if sort not in SORTS:
        sort = "updated"
    raw_category = request.args.get("category", "")
    category_id = (
        int(raw_category)
        if raw_category.isascii() and raw_category.isdigit() and len(raw_category) < 10
        else None
    )
    text = clean_line(request.args.get("q", ""))[:200]
    page = page_arg(MAX_PAGE)

    base = _filtered(status, category_id, text)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        abort(404)
    if sort == "published":
        order = (Article.published_at.desc().nulls_last(), Article.id.desc())
    else:
        order = (Article.updated_at.desc(), Article.id.desc())
    rows = db.session.scalars(
        base.options(
            load_only(
                Article.id,
                Article.title,
                Article.slug,
                Article.status,
                Article.published_at,
                Article.updated_at,
                Article.category_id,
                Article.view_count,
                Article.comment_count,
                Article.featured,
                Article.cover_url,
            ),
            selectinload(Article.category),
        )
        .order_by(*order)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    ids = [a.id for a in rows]
    pending = (
        dict(
            db.session.execute(
                sa.select(Comment.article_id, sa.func.count())
                .where(Comment.article_id.in_(ids), Comment.status == CommentStatus.PENDING)
                .group_by(Comment.article_id)
            ).all()
        )
        if ids
        else {}
    )
    now = utcnow()
    return render_template(
        "editor/articles/list.html",
        rows=[(a, service.published_state(a, now), pending.get(a.id, 0)) for a in rows],
        categories=_categories(),
        status=status,
        sort=sort,
        category_id=category_id,
        text=text,
        page=page,
        pages=pages,
        total=total,
    )


# ---------------------------------------------------------------- writing


def _form_changes(form: ArticleForm) -> dict:
    return {
        "title": form.title.data,
        "slug": form.slug.data or "",
        "category_id": form.category_value,
        "author_name": form.author_name.data,
        "lead": form.lead.data,
        "body": form.body.data,
        "cover_url": form.cover_url.data,
        "status": form.status.data,
        "published_at": form.published_at.data,
        "featured": form.featured.data,
        "allow_comments": form.allow_comments.data,
    }


def _render_form(form: ArticleForm, article: Article | None, status: int = 200, **extra):
    return (
        render_template(
            "editor/articles/form.html",
            form=form,
            article=article,
            state=service.published_state(article) if article else "draft",
            trashed=article is not None and article.status == ArticleStatus.DELETED,
            **extra,
        ),
        status,
    )


def _saved_message(article: Article) -> str:
    state = service.published_state(article)
    if state == "scheduled":
        return _("Đã lưu. Bài sẽ tự hiện trên trang vào thời gian đã hẹn.")
    if state == "published":
        return _("Đã lưu và đăng bài.")
    return _("Đã lưu bản nháp.")


@bp.route("/articles/new", methods=["GET", "POST"])
@staff_required
def article_new():
    """Write a new article."""
    form = ArticleForm(categories=_categories())
    if request.method == "GET":
        form.author_name.data = _current_user().name
        raw_category = request.args.get("category", "")
        if raw_category.isascii() and raw_category.isdigit():
            form.category_id.data = raw_category
    if form.validate_on_submit():
        article = service.create(_current_user(), _form_changes(form))
        db.session.commit()
        flash(_saved_message(article), "success")
        return redirect(url_for("editor.article_edit", article_id=article.id), 303)
    status = 400 if request.method == "POST" else 200
    return _render_form(form, None, status)


@bp.route(f"/articles/<{ID}:article_id>/edit", methods=["GET", "POST"])
@staff_required
def article_edit(article_id: int):
    """Edit an article; a save based on an older version is shown, never applied silently."""
    article = _get_article(article_id)
    form = ArticleForm(categories=_categories(), obj=article if request.method == "GET" else None)
    if request.method == "GET":
        form.category_id.data = str(article.category_id)
        form.status.data = (
            ArticleStatus.DRAFT.value
            if article.status == ArticleStatus.DELETED
            else article.status.value
        )
        form.version.data = str(article.version)
        return _render_form(form, article)

    if article.status == ArticleStatus.DELETED:
        return _render_form(form, article, 409)
    if not form.validate_on_submit():
        return _render_form(form, article, 400)
    expected = form.version_value
    try:
        service.update(article, _current_user(), _form_changes(form), expected)
    except service.EditConflict as conflict:
        db.session.rollback()
        return _conflict(form, conflict.article)
    db.session.commit()
    flash(_saved_message(article), "success")
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


def _conflict(form: ArticleForm, article: Article):
    """409: the typed values stay in the form, next to what was saved meanwhile."""
    latest = db.session.scalar(
        sa.select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.id.desc())
        .limit(1)
    )
    saved_by = db.session.get(User, article.updated_by_id) if article.updated_by_id else None
    diff = service.text_diff(
        service.readable(article.title, article.lead, article.body),
        service.readable(form.title.data or "", form.lead.data or "", clean_html(form.body.data)),
    )
    # Saving again now means "I have seen the other version and keep mine".
    form.version.data = str(article.version)
    return _render_form(
        form,
        article,
        409,
        conflict=True,
        latest_revision=latest,
        saved_by=saved_by,
        diff=diff,
    )


@bp.post(f"/articles/<{ID}:article_id>/delete")
@staff_required
def article_delete(article_id: int):
    """Move an article to the trash (readers get 404; an admin can restore it)."""
    article = _get_article(article_id)
    if article.status != ArticleStatus.DELETED:
        service.move_to_trash(article, _current_user())
        db.session.commit()
    flash(_("Đã chuyển bài “%(title)s” vào thùng rác.", title=article.title), "success")
    return redirect(url_for("editor.articles"), 303)


@bp.post(f"/articles/<{ID}:article_id>/restore")
@admin_required
def article_restore(article_id: int):
    """Bring an article back from the trash as a draft."""
    article = _get_article(article_id)
    if article.status == ArticleStatus.DELETED:
        service.restore_from_trash(article, _current_user())
        db.session.commit()
    flash(_("Đã khôi phục bài “%(title)s” thành bản nháp.", title=article.title), "success")
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


@bp.get(f"/articles/<{ID}:article_id>/preview")
@staff_required
def article_preview(article_id: int):
    """The article as readers will see it, drafts and scheduled ones too."""
    article = _get_article(article_id)
    return render_template(
        "editor/articles/preview.html",
        article=article,
        views=article.view_count,
        same_category=[],
        comments=[],
        state=service.published_state(article),
    )


# ---------------------------------------------------------------- revisions


def _get_revision(article: Article, revision_id: int) -> ArticleRevision:
    revision = db.session.get(ArticleRevision, revision_id)
    if revision is None or revision.article_id != article.id:
        abort(404)
    return revision


@bp.get(f"/articles/<{ID}:article_id>/revisions")
@staff_required
def article_revisions(article_id: int):
    """Every saved version of an article, newest first."""
    article = _get_article(article_id)
    revisions = db.session.scalars(
        sa.select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .options(
            load_only(
                ArticleRevision.id,
                ArticleRevision.title,
                ArticleRevision.user_id,
                ArticleRevision.created_at,
                ArticleRevision.note,
            ),
            selectinload(ArticleRevision.user),
        )
        .order_by(ArticleRevision.id.desc())
        .limit(500)
    ).all()
    return render_template("editor/articles/revisions.html", article=article, revisions=revisions)


@bp.get(f"/articles/<{ID}:article_id>/revisions/<{ID}:revision_id>")
@staff_required
def article_revision(article_id: int, revision_id: int):
    """One saved version, with what changed since then."""
    article = _get_article(article_id)
    revision = _get_revision(article, revision_id)
    diff = service.text_diff(
        service.readable(revision.title, revision.lead, revision.body),
        service.readable(article.title, article.lead, article.body),
    )
    return render_template(
        "editor/articles/revision.html", article=article, revision=revision, diff=diff
    )


@bp.post(f"/articles/<{ID}:article_id>/revisions/<{ID}:revision_id>/restore")
@staff_required
def article_revision_restore(article_id: int, revision_id: int):
    """Bring back an old version's title, lead and body (as a new revision)."""
    article = _get_article(article_id)
    revision = _get_revision(article, revision_id)
    if article.status == ArticleStatus.DELETED:
        abort(409)
    service.restore_revision(article, revision, _current_user())
    db.session.commit()
    flash(
        _(
            "Đã khôi phục phiên bản lúc %(time)s. Bản hiện tại trước đó vẫn còn trong lịch sử.",
            time=local_datetime(revision.created_at),
        ),
        "success",
    )
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)
