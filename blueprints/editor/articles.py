"""Articles in the editor: list, write, preview, trash, revisions."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import load_only, selectinload

from bantin import articles as service
from bantin import autosave, body_inventory, review
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.formatting import local_datetime
from bantin.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    User,
)
from bantin.permissions import Capability, requires
from bantin.sanitize import clean_html
from bantin.text import clean_line, fold, safe_local_path
from bantin.web.paging import page_arg, paginate
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_articles import ArticleForm, ReturnForm, publish_problems

PER_PAGE = 20
MAX_PAGE = 100_000
ID = "int(max=2147483647)"
STATUS_FILTERS = ("draft", "review", "published", "scheduled", "deleted")
SORTS = ("updated", "published")
BULK_ACTIONS = ("publish", "unpublish", "move", "trash")
BULK_MAX = 200  # ids per bulk post (ten pages of the list)


def _current_user() -> User:
    return current_user._get_current_object()


def _get_article(article_id: int, *, edit: bool = False) -> Article:
    """The article, if this user may open it (403 otherwise); ``edit``: and change it."""
    article = db.session.scalar(
        sa.select(Article).where(Article.id == article_id).options(selectinload(Article.category))
    )
    if article is None:
        abort(404)
    user = _current_user()
    allowed = review.may_edit(user, article) if edit else review.may_open(user, article)
    if not allowed:
        abort(403)
    return article


def _categories() -> list[Category]:
    return list(
        db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()
    )


# ---------------------------------------------------------------- the list


def _id_arg(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _staff() -> list[User]:
    """Everyone who can write, for the author filter and the list's author column."""
    return list(db.session.scalars(sa.select(User).order_by(User.name, User.id)).all())


def _filtered(
    status: str, category_id: int | None, text: str, author_id: int | None = None
) -> sa.Select:
    now = utcnow()
    stmt = sa.select(Article)
    if status == "draft":
        stmt = stmt.where(Article.status == ArticleStatus.DRAFT)
    elif status == "review":
        stmt = stmt.where(Article.status == ArticleStatus.REVIEW)
    elif status == "published":
        stmt = stmt.where(Article.visible_clause(now))
    elif status == "scheduled":
        stmt = stmt.where(Article.scheduled_clause(now))
    elif status == "deleted":
        stmt = stmt.where(Article.status == ArticleStatus.DELETED)
    else:  # everything but the trash
        stmt = stmt.where(Article.status != ArticleStatus.DELETED)
    if category_id is not None:
        stmt = stmt.where(Article.category_id == category_id)
    if author_id is not None:
        stmt = stmt.where(Article.created_by_id == author_id)
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


def _list_filters() -> dict:
    """The list's filters from the query string; unknown values fall back to defaults."""
    status = request.args.get("status", "")
    sort = request.args.get("sort", "updated")
    return {
        "status": status if status in STATUS_FILTERS else "",
        "sort": sort if sort in SORTS else "updated",
        "category_id": _id_arg(request.args.get("category", "")),
        "author_id": _id_arg(request.args.get("author", "")),
        "text": clean_line(request.args.get("q", ""))[:200],
    }


@bp.get("/articles")
@requires(Capability.WRITE_ARTICLES)
def articles():
    """Articles: filter by status, category, author and text; sort; paginate; bulk actions."""
    filters = _list_filters()
    number = page_arg(MAX_PAGE)

    base = _filtered(
        filters["status"], filters["category_id"], filters["text"], filters["author_id"]
    ).where(review.visible_to(_current_user()))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    page = paginate(total, PER_PAGE, number)
    if filters["sort"] == "published":
        order = (Article.published_at.desc().nulls_last(), Article.id.desc())
    else:
        order = (Article.updated_at.desc(), Article.id.desc())
    stmt = base.options(
        load_only(
            Article.id,
            Article.title,
            Article.slug,
            Article.author_name,
            Article.status,
            Article.published_at,
            Article.updated_at,
            Article.category_id,
            Article.view_count,
            Article.comment_count,
            Article.featured,
            Article.cover_url,
            Article.body_image_url,
            Article.created_by_id,
            Article.submitted_at,
        ),
        selectinload(Article.category),
    ).order_by(*order)
    rows = db.session.scalars(page.rows(stmt)).all()
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
    staff = _staff()
    people = {u.id: u for u in staff}
    now = utcnow()
    return render_template(
        "editor/articles/list.html",
        rows=[
            (a, service.published_state(a, now), pending.get(a.id, 0), people.get(a.created_by_id))
            for a in rows
        ],
        categories=_categories(),
        staff=staff,
        page=page.number,
        pages=page.pages,
        total=page.total,
        back=request.full_path.rstrip("?"),
        **filters,
    )


# ---------------------------------------------------------------- bulk actions


def _bulk_back() -> str:
    """Back to the list with its filters: only a path of the list itself is accepted."""
    back = safe_local_path(request.form.get("back"))
    list_path = url_for("editor.articles")
    parts = urlsplit(back or "")
    if back is None or parts.path != list_path:
        return list_path
    # The same filters, from their first page: the action may have emptied a later one.
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "page"])
    return f"{list_path}?{query}" if query else list_path


def _bulk_ids() -> list[int]:
    """The checked ids, in order, without repeats or junk (unknown ids are ignored later)."""
    ids: list[int] = []
    for raw in request.form.getlist("ids")[: BULK_MAX * 2]:
        value = _id_arg(raw.strip())
        if value is not None and value not in ids:
            ids.append(value)
    return ids[:BULK_MAX]


def _titles(articles: list[Article]) -> str:
    return ", ".join(f"“{a.title}”" for a in articles)


@bp.post("/articles/bulk")
@requires(Capability.PUBLISH_ARTICLES)
def articles_bulk():
    """Publish, unpublish, move or trash the checked articles, each through the one save path."""
    back = _bulk_back()
    action = request.form.get("action", "")
    raw_category = request.form.get("category_id", "")
    # The form only offers these: anything else was not chosen by a person.
    if (action and action not in BULK_ACTIONS) or (raw_category and _id_arg(raw_category) is None):
        abort(400)
    if not action:
        flash(_("Hãy chọn một thao tác cho các bài đã chọn."), "error")
        return redirect(back, 303)
    ids = _bulk_ids()
    found = (
        db.session.scalars(
            sa.select(Article).where(Article.id.in_(ids)).options(selectinload(Article.category))
        ).all()
        if ids
        else []
    )
    by_id = {a.id: a for a in found}
    chosen = [by_id[i] for i in ids if i in by_id]
    if not chosen:
        flash(_("Chưa chọn bài viết nào. Hãy đánh dấu các bài cần xử lý."), "error")
        return redirect(back, 303)
    target = None
    if action == "move":
        category_id = _id_arg(raw_category)
        target = db.session.get(Category, category_id) if category_id is not None else None
        if target is None:
            flash(_("Hãy chọn chuyên mục cần chuyển các bài đến."), "error")
            return redirect(back, 303)

    user = _current_user()
    done: list[Article] = []
    trashed = [a for a in chosen if a.status == ArticleStatus.DELETED]
    empty: list[Article] = []
    undescribed: list[Article] = []
    for article in chosen:
        if article.status == ArticleStatus.DELETED:
            continue
        if action == "publish":
            if article.status == ArticleStatus.PUBLISHED:
                continue  # already published or scheduled
            check = service.publish_check(article.body)
            if check.empty:
                empty.append(article)
                continue
            if check.images_without_alt:
                undescribed.append(article)
                continue
            service.save(article, user, {"status": ArticleStatus.PUBLISHED.value})
        elif action == "unpublish":
            if article.status != ArticleStatus.PUBLISHED:
                continue
            service.save(article, user, {"status": ArticleStatus.DRAFT.value})
        elif action == "move":
            if article.category_id == target.id:
                continue
            service.save(article, user, {"category_id": target.id})
        else:
            service.move_to_trash(article, user)
        done.append(article)
    db.session.commit()

    n = len(done)
    if action == "publish":
        message = ngettext("Đã đăng %(num)d bài", "Đã đăng %(num)d bài", n)
    elif action == "unpublish":
        message = ngettext(
            "Đã chuyển %(num)d bài về bản nháp", "Đã chuyển %(num)d bài về bản nháp", n
        )
    elif action == "move":
        message = ngettext(
            "Đã chuyển %(num)d bài sang chuyên mục “%(name)s”",
            "Đã chuyển %(num)d bài sang chuyên mục “%(name)s”",
            n,
            name=target.name,
        )
    else:
        message = ngettext(
            "Đã chuyển %(num)d bài vào thùng rác", "Đã chuyển %(num)d bài vào thùng rác", n
        )
    skipped = []
    if empty:
        skipped.append(
            ngettext(
                "%(num)d bài chưa đăng vì chưa có nội dung: %(titles)s",
                "%(num)d bài chưa đăng vì chưa có nội dung: %(titles)s",
                len(empty),
                titles=_titles(empty),
            )
        )
    if undescribed:
        skipped.append(
            ngettext(
                "%(num)d bài chưa đăng vì có ảnh chưa có mô tả: %(titles)s",
                "%(num)d bài chưa đăng vì có ảnh chưa có mô tả: %(titles)s",
                len(undescribed),
                titles=_titles(undescribed),
            )
        )
    if trashed and action != "trash":
        skipped.append(
            ngettext(
                "%(num)d bài đang ở thùng rác nên không đổi: %(titles)s",
                "%(num)d bài đang ở thùng rác nên không đổi: %(titles)s",
                len(trashed),
                titles=_titles(trashed),
            )
        )
    flash("; ".join([message, *skipped]) + ".", "warning" if skipped else "success")
    return redirect(back, 303)


# ---------------------------------------------------------------- writing


def _form_changes(form: ArticleForm, user: User) -> dict:
    """What the form changes; a contributor's form never publishes, schedules or features."""
    changes = {
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
    if not review.reviews(user):
        for field in ("status", "published_at", "featured"):
            changes.pop(field)
    return changes


def _latest_revision(article: Article) -> ArticleRevision | None:
    return db.session.scalar(
        sa.select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.number.desc(), ArticleRevision.id.desc())
        .limit(1)
    )


def _revision_number(article: Article | None) -> int | None:
    """The article's latest revision number (what the form shows as "Phiên bản số N")."""
    if article is None:
        return None
    return db.session.scalar(
        sa.select(sa.func.max(ArticleRevision.number)).where(
            ArticleRevision.article_id == article.id
        )
    )


def _render_form(form: ArticleForm, article: Article | None, status: int = 200, **extra):
    extra.setdefault("autosave", None)
    user = _current_user()
    extra.setdefault("reviewer", review.reviews(user))
    extra.setdefault("locked", article is not None and not review.may_edit(user, article))
    author = (
        db.session.get(User, article.created_by_id) if article and article.created_by_id else None
    )
    extra.setdefault("author", author)
    return (
        render_template(
            "editor/articles/form.html",
            form=form,
            article=article,
            state=service.published_state(article) if article else "draft",
            trashed=article is not None and article.status == ArticleStatus.DELETED,
            revision_number=_revision_number(article),
            **extra,
        ),
        status,
    )


def _saved_message(article: Article) -> str:
    state = service.published_state(article)
    if state == "review":
        return _("Đã lưu. Bài vẫn đang chờ duyệt.")
    if state == "scheduled":
        return _("Đã lưu. Bài sẽ tự hiện trên trang vào thời gian đã hẹn.")
    if state == "published":
        return _("Đã lưu và đăng bài.")
    return _("Đã lưu bản nháp.")


def _flash_lost_media(before: str | None, after: str | None) -> None:
    """Right after a save: name every image and attachment the save took out of the body."""
    lost = service.lost_media(before, after)
    if lost:
        flash(
            ngettext(
                "Lưu ý: lần lưu này đã bỏ %(num)d ảnh hoặc tệp đính kèm khỏi bài: %(names)s. "
                "Nếu đó là nhầm lẫn, hãy khôi phục phiên bản trước trong lịch sử sửa đổi.",
                "Lưu ý: lần lưu này đã bỏ %(num)d ảnh hoặc tệp đính kèm khỏi bài: %(names)s. "
                "Nếu đó là nhầm lẫn, hãy khôi phục phiên bản trước trong lịch sử sửa đổi.",
                len(lost),
                names=", ".join(f"“{name}”" for name in lost),
            ),
            "warning",
        )


@bp.route("/articles/new", methods=["GET", "POST"])
@requires(Capability.WRITE_ARTICLES)
def article_new():
    """Write a new article."""
    form = ArticleForm(categories=_categories())
    user = _current_user()
    if request.method == "GET":
        form.author_name.data = user.name
        raw_category = request.args.get("category", "")
        if raw_category.isascii() and raw_category.isdigit():
            form.category_id.data = raw_category
        return _render_form(form, None, autosave=autosave.offer(user.id, None))
    if not review.reviews(user):
        form.status.data = ArticleStatus.DRAFT.value  # contributors write drafts
    if form.validate_on_submit():
        article = service.create(user, _form_changes(form, user))
        autosave.discard(user.id, None)
        if _wants("submit"):
            return _submit_after_save(form, article, user)
        db.session.commit()
        flash(_saved_message(article), "success")
        return redirect(url_for("editor.article_edit", article_id=article.id), 303)
    return _render_form(form, None, 400)


@bp.route(f"/articles/<{ID}:article_id>/edit", methods=["GET", "POST"])
@requires(Capability.WRITE_ARTICLES)
def article_edit(article_id: int):
    """Edit an article; a save based on an older version is shown, never applied silently."""
    article = _get_article(article_id)
    user = _current_user()
    form = ArticleForm(
        categories=_categories(),
        obj=article if request.method == "GET" else None,
        in_review=article.status == ArticleStatus.REVIEW,
    )
    if request.method == "GET":
        form.review_note.data = ""
        form.category_id.data = str(article.category_id)
        form.status.data = (
            ArticleStatus.DRAFT.value
            if article.status == ArticleStatus.DELETED
            else article.status.value
        )
        form.version.data = str(article.version)
        offered = (
            autosave.offer(user.id, article) if article.status != ArticleStatus.DELETED else None
        )
        return _render_form(form, article, autosave=offered)

    if article.status == ArticleStatus.DELETED:
        return _render_form(form, article, 409)
    if not review.may_edit(user, article):
        abort(403)
    if not review.reviews(user):
        form.status.data = article.status.value  # the review decides, not the form
    approving = _wants("approve") and article.status == ArticleStatus.REVIEW
    if approving:
        form.status.data = ArticleStatus.PUBLISHED.value  # checked as a publication
    if not form.validate_on_submit():
        return _render_form(form, article, 400)
    expected = form.version_value
    before = article.body
    changes = _form_changes(form, user)
    if approving:
        changes["status"] = ArticleStatus.REVIEW.value  # review.approve publishes it
    try:
        service.update(article, user, changes, expected)
    except service.EditConflict as conflict:
        db.session.rollback()
        return _conflict(form, conflict.article)
    autosave.discard(user.id, article.id)
    if approving:
        review.approve(article, user, form.published_at.data)
    elif _wants("submit"):
        return _submit_after_save(form, article, user, before)
    db.session.commit()
    saved = _saved_message(article)
    flash(_("Đã duyệt bài.") + " " + saved if approving else saved, "success")
    _flash_lost_media(before, article.body)
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


def _wants(action: str) -> bool:
    """Which of the form's buttons was pressed (Lưu, Gửi duyệt, Duyệt và đăng). A
    contributor's request to publish (status=published, CONTRACT.md) is a submission."""
    if request.form.get("review_action") == action:
        return True
    return (
        action == "submit"
        and not review.reviews(_current_user())
        and request.form.get("status")
        in (ArticleStatus.PUBLISHED.value, ArticleStatus.REVIEW.value)
    )


def _submit_after_save(form: ArticleForm, article: Article, user: User, before=None):
    """Save and "Gửi duyệt" in one step: the saved text is what the reviewer reads."""
    if article.status != ArticleStatus.DRAFT:
        db.session.commit()
        flash(_saved_message(article), "success")
        return redirect(url_for("editor.article_edit", article_id=article.id), 303)
    problems = publish_problems(service.publish_check(article.body))
    if problems:
        # The text is saved as a draft; what stops the review is said next to the body.
        db.session.commit()
        form.body.errors = [*form.body.errors, *problems]
        form.version.data = str(article.version)
        return _render_form(form, article, 400, not_submitted=True)
    review.submit(article, user, form.review_note.data or "")
    db.session.commit()
    flash(_("Đã gửi duyệt. Biên tập viên sẽ xem và đăng bài hoặc trả lại kèm ghi chú."), "success")
    if before is not None:
        _flash_lost_media(before, article.body)
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


def _conflict(form: ArticleForm, article: Article):
    """409: the typed values stay in the form, next to what was saved meanwhile."""
    latest = _latest_revision(article)
    saved_by = db.session.get(User, article.updated_by_id) if article.updated_by_id else None
    typed_body = clean_html(form.body.data)
    diff = service.text_diff(
        service.readable(article.title, article.lead, article.body),
        service.readable(form.title.data or "", form.lead.data or "", typed_body),
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
        media_changes=body_inventory.compare(article.body, typed_body),
    )


@bp.post(f"/articles/<{ID}:article_id>/delete")
@requires(Capability.WRITE_ARTICLES)
def article_delete(article_id: int):
    """Move an article to the trash (readers get 404; an admin can restore it)."""
    article = _get_article(article_id, edit=True)
    if article.status != ArticleStatus.DELETED:
        service.move_to_trash(article, _current_user())
        db.session.commit()
    flash(_("Đã chuyển bài “%(title)s” vào thùng rác.", title=article.title), "success")
    return redirect(url_for("editor.articles"), 303)


@bp.post(f"/articles/<{ID}:article_id>/return")
@requires(Capability.PUBLISH_ARTICLES)
def article_return(article_id: int):
    """ "Trả lại": back to its author as a draft, with a note saying what to change."""
    article = _get_article(article_id)
    form = ReturnForm()
    if article.status != ArticleStatus.REVIEW:
        flash(_("Bài này không còn chờ duyệt nên không trả lại được."), "error")
        return redirect(url_for("editor.article_edit", article_id=article.id), 303)
    if not form.validate_on_submit() or not review.clean_note(form.note.data):
        if not form.note.errors:
            form.note.errors = [_("Hãy ghi rõ tác giả cần sửa gì trước khi trả lại bài.")]
        # The article's own values: this request's form is the return note, not the article.
        edit = ArticleForm(formdata=None, categories=_categories(), obj=article, in_review=True)
        edit.category_id.data = str(article.category_id)
        edit.status.data = article.status.value
        edit.version.data = str(article.version)
        return _render_form(edit, article, 400, return_form=form)
    review.send_back(article, _current_user(), form.note.data)
    db.session.commit()
    flash(_("Đã trả lại bài “%(title)s” cho tác giả.", title=article.title), "success")
    return redirect(url_for("editor.articles", status="review"), 303)


@bp.post(f"/articles/<{ID}:article_id>/withdraw")
@requires(Capability.WRITE_ARTICLES)
def article_withdraw(article_id: int):
    """The author takes a submission back to change it (it becomes a draft again)."""
    article = _get_article(article_id)
    user = _current_user()
    if not (review.reviews(user) or article.created_by_id == user.id):
        abort(403)
    if article.status == ArticleStatus.REVIEW:
        review.withdraw(article, user)
        db.session.commit()
        flash(_("Đã rút bài khỏi hàng chờ duyệt. Bài trở lại bản nháp."), "success")
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


@bp.post(f"/articles/<{ID}:article_id>/restore")
@requires(Capability.RESTORE_ARTICLES)
def article_restore(article_id: int):
    """Bring an article back from the trash as a draft."""
    article = _get_article(article_id)
    if article.status == ArticleStatus.DELETED:
        service.restore_from_trash(article, _current_user())
        db.session.commit()
    flash(_("Đã khôi phục bài “%(title)s” thành bản nháp.", title=article.title), "success")
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)


@bp.get(f"/articles/<{ID}:article_id>/preview")
@requires(Capability.WRITE_ARTICLES)
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
@requires(Capability.WRITE_ARTICLES)
def article_revisions(article_id: int):
    """Every saved version of an article, newest first, numbered 1, 2, 3… per article."""
    article = _get_article(article_id)
    revisions = db.session.scalars(
        sa.select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .options(
            load_only(
                ArticleRevision.id,
                ArticleRevision.number,
                ArticleRevision.title,
                ArticleRevision.user_id,
                ArticleRevision.created_at,
                ArticleRevision.note,
            ),
            selectinload(ArticleRevision.user),
        )
        .order_by(ArticleRevision.number.desc(), ArticleRevision.id.desc())
        .limit(500)
    ).all()
    # A restore's note names the restored revision by id; people see its number.
    numbers = {r.id: r.number for r in revisions}
    return render_template(
        "editor/articles/revisions.html", article=article, revisions=revisions, numbers=numbers
    )


@bp.get(f"/articles/<{ID}:article_id>/revisions/<{ID}:revision_id>")
@requires(Capability.WRITE_ARTICLES)
def article_revision(article_id: int, revision_id: int):
    """One saved version, with what changed since then (text, images, tables, attachments)."""
    article = _get_article(article_id)
    revision = _get_revision(article, revision_id)
    diff = service.text_diff(
        service.readable(revision.title, revision.lead, revision.body),
        service.readable(article.title, article.lead, article.body),
    )
    return render_template(
        "editor/articles/revision.html",
        article=article,
        revision=revision,
        diff=diff,
        media_changes=body_inventory.compare(revision.body, article.body),
        current_number=_revision_number(article),
        restored_number=_restored_number(revision),
    )


def _restored_number(revision: ArticleRevision) -> int | None:
    """For a restore's revision: the number of the revision it brought back."""
    key, _sep, raw = (revision.note or "").partition(":")
    if key != service.NOTE_REVISION_RESTORE or not (raw.isascii() and raw.isdigit()):
        return None
    return db.session.scalar(
        sa.select(ArticleRevision.number).where(
            ArticleRevision.id == int(raw[:18]), ArticleRevision.article_id == revision.article_id
        )
    )


@bp.post(f"/articles/<{ID}:article_id>/revisions/<{ID}:revision_id>/restore")
@requires(Capability.WRITE_ARTICLES)
def article_revision_restore(article_id: int, revision_id: int):
    """Bring back an old version's title, lead and body (as a new revision)."""
    article = _get_article(article_id, edit=True)
    revision = _get_revision(article, revision_id)
    if article.status == ArticleStatus.DELETED:
        abort(409)
    before = article.body
    service.restore_revision(article, revision, _current_user())
    db.session.commit()
    flash(
        _(
            "Đã khôi phục phiên bản %(n)s (lưu lúc %(time)s). "
            "Bản hiện tại trước đó vẫn còn trong lịch sử.",
            n=revision.number,
            time=local_datetime(revision.created_at),
        ),
        "success",
    )
    _flash_lost_media(before, article.body)
    return redirect(url_for("editor.article_edit", article_id=article.id), 303)
