"""Pages in the editor: the tree, the page form (Vietnamese, and English on its own tab),
revisions and preview."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from bantin import articles, site_pages
from bantin.extensions import db
from bantin.formatting import local_datetime
from bantin.models import Page, PageRevision, PageStatus, User
from bantin.permissions import Capability, requires
from bantin.sanitize import clean_html
from bantin.text import has_control_chars
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_articles import BODY_MAX_LENGTH, publish_problems

ID = "int(max=2147483647)"
FILTERS = ("", "missing_english", "draft", "published", "deleted")


def _no_control_chars(form, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("Có ký tự không hợp lệ, hãy gõ lại."))


def _version_ok(form, field) -> None:
    raw = field.data or ""
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise ValidationError(_l("Biểu mẫu không hợp lệ, hãy tải lại trang."))


class PositionField(IntegerField):
    """A whole number; anything else gets a Vietnamese message (WTForms' own is English)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0].strip() if valuelist else ""
        if not raw:
            self.data = 0
            return
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not -100_000 <= value <= 100_000:
            self.data = None
            raise ValueError(_l("Thứ tự là một số nguyên, ví dụ 1, 2, 3."))
        self.data = value


class PageTextForm(FlaskForm):
    """One language's title and body (the English tab posts only this)."""

    title = StringField(
        _l("Tiêu đề"),
        validators=[
            InputRequired(_l("Hãy nhập tiêu đề trang.")),
            Length(max=300, message=_l("Tiêu đề dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    body = HiddenField(
        _l("Nội dung"),
        validators=[Length(max=BODY_MAX_LENGTH, message=_l("Nội dung quá dài."))],
    )
    version = HiddenField(validators=[_version_ok])

    @property
    def version_value(self) -> int | None:
        raw = self.version.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class PageEnglishForm(PageTextForm):
    title = StringField(
        _l("Tiêu đề tiếng Anh"),
        validators=[
            Optional(),
            Length(max=300, message=_l("Tiêu đề dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )


class PageForm(PageTextForm):
    """The Vietnamese tab: the text, and where the page sits and whether readers see it."""

    slug = StringField(
        _l("Đường dẫn (slug)"),
        validators=[
            Optional(),
            Length(max=site_pages.SLUG_MAX, message=_l("Đường dẫn dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    parent_id = SelectField(_l("Trang cha"), coerce=str, validate_choice=False)
    position = PositionField(_l("Thứ tự"), default=0)
    status = RadioField(
        _l("Trạng thái"),
        choices=[
            SelectChoice(PageStatus.DRAFT.value, _l("Bản nháp (chưa hiển thị)")),
            SelectChoice(PageStatus.PUBLISHED.value, _l("Đăng trang")),
        ],
        default=PageStatus.DRAFT.value,
        validate_choice=False,
    )
    needs_english = BooleanField(_l("Trang này cần có bản tiếng Anh (thông tin tổ chức, liên hệ)"))

    def __init__(self, *args, parents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [SelectChoice("", _l("— Không có (trang cấp cao nhất) —"))] + [
            SelectChoice(str(row.page.id), "— " * row.depth + row.page.title) for row in parents
        ]
        self._parent_ids = {str(row.page.id) for row in parents}

    def validate_parent_id(self, field) -> None:
        if field.data and field.data not in self._parent_ids:
            raise ValidationError(
                _l(
                    "Hãy chọn trang cha trong danh sách "
                    "(không chọn chính trang này hay trang con của nó)."
                )
            )

    def validate_status(self, field) -> None:
        if field.data not in {PageStatus.DRAFT.value, PageStatus.PUBLISHED.value}:
            raise ValidationError(_l("Hãy chọn Bản nháp hoặc Đăng trang."))

    @property
    def parent_value(self) -> int | None:
        return int(self.parent_id.data) if self.parent_id.data in self._parent_ids else None


def _user() -> User:
    return current_user._get_current_object()


def _get_page(page_id: int) -> Page:
    page = db.session.get(Page, page_id)
    if page is None:
        abort(404)
    return page


def _latest_number(page: Page | None) -> int | None:
    if page is None:
        return None
    return db.session.scalar(
        sa.select(sa.func.max(PageRevision.number)).where(PageRevision.page_id == page.id)
    )


# ---------------------------------------------------------------- the tree


@bp.get("/pages")
@requires(Capability.MANAGE_PORTAL)
def pages():
    """Every page in its tree, with its state and whether it lacks the English it needs."""
    shown = request.args.get("show", "")
    if shown not in FILTERS:
        shown = ""
    rows = site_pages.tree(include_deleted=shown == "deleted")
    if shown == "missing_english":
        rows = [r for r in rows if site_pages.missing_english(r.page)]
    elif shown in {"draft", "published", "deleted"}:
        rows = [r for r in rows if r.page.status.value == shown]
    missing = sum(
        1 for r in site_pages.tree(include_deleted=False) if site_pages.missing_english(r.page)
    )
    return render_template(
        "editor/site_pages/list.html", rows=rows, shown=shown, missing_count=missing
    )


# ---------------------------------------------------------------- writing


def _render(form, page: Page | None, lang: str = "vi", status: int = 200, **extra):
    return (
        render_template(
            "editor/site_pages/form.html",
            form=form,
            page=page,
            lang=lang,
            path=site_pages.path_of(page) if page is not None else "",
            trashed=page is not None and page.status == PageStatus.DELETED,
            revision_number=_latest_number(page),
            **extra,
        ),
        status,
    )


def _saved_message(page: Page) -> str:
    if page.status == PageStatus.PUBLISHED:
        return _("Đã lưu trang; bạn đọc đã xem được.")
    return _("Đã lưu bản nháp của trang.")


def _tree_error(form: PageForm, error: site_pages.InvalidChange) -> None:
    if error.field == "slug":
        form.slug.errors = [
            *form.slug.errors,
            _("Trang cha này đã có một trang con với đường dẫn này. Hãy chọn đường dẫn khác."),
        ]
    elif error.field == "parent_id":
        form.parent_id.errors = [
            *form.parent_id.errors,
            _("Không thể đặt trang dưới chính nó hoặc dưới một trang con của nó, hoặc quá sâu."),
        ]
    else:
        form.title.errors = [*form.title.errors, _("Hãy nhập tiêu đề trang.")]


def _publish_errors(body: str, published: bool) -> list[str]:
    if not published:
        return []
    return publish_problems(
        articles.PublishCheck(
            images_without_alt=articles.publish_check(clean_html(body)).images_without_alt
        )
    )


@bp.route("/pages/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def page_new():
    """Write a new page (Vietnamese first; the English tab opens once it is saved)."""
    form = PageForm(parents=site_pages.parent_choices(None))
    if request.method == "GET":
        raw = request.args.get("parent", "")
        if raw in form._parent_ids:
            form.parent_id.data = raw
        return _render(form, None)
    if not form.validate_on_submit():
        return _render(form, None, status=400)
    problems = _publish_errors(form.body.data, form.status.data == PageStatus.PUBLISHED.value)
    if problems:
        form.body.errors = [*form.body.errors, *problems]
        return _render(form, None, status=400)
    try:
        page = site_pages.save(None, _user(), _changes(form))
    except site_pages.InvalidChange as error:
        db.session.rollback()
        _tree_error(form, error)
        return _render(form, None, status=400)
    db.session.commit()
    flash(_saved_message(page), "success")
    return redirect(url_for("editor.page_edit", page_id=page.id), 303)


def _changes(form: PageForm) -> dict:
    return {
        "title": form.title.data,
        "slug": form.slug.data or "",
        "parent_id": form.parent_value,
        "body": form.body.data,
        "position": form.position.data or 0,
        "status": form.status.data,
        "needs_english": form.needs_english.data,
    }


@bp.route(f"/pages/<{ID}:page_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def page_edit(page_id: int):
    """Edit a page: `?lang=en` is the English tab (its own title and body)."""
    page = _get_page(page_id)
    lang = "en" if request.args.get("lang") == "en" else "vi"
    form = PageEnglishForm() if lang == "en" else PageForm(parents=site_pages.parent_choices(page))
    if request.method == "GET":
        if lang == "en":
            form.title.data, form.body.data = page.title_en, page.body_en
        else:
            form.title.data, form.body.data = page.title, page.body
            form.slug.data = page.slug
            form.parent_id.data = str(page.parent_id or "")
            form.position.data = page.position
            form.status.data = (
                PageStatus.DRAFT.value if page.status == PageStatus.DELETED else page.status.value
            )
            form.needs_english.data = page.needs_english
        form.version.data = str(page.version)
        return _render(form, page, lang)

    if page.status == PageStatus.DELETED:
        return _render(form, page, lang, 409)
    if not form.validate_on_submit():
        return _render(form, page, lang, 400)
    if lang == "en":
        changes = {"title_en": form.title.data, "body_en": form.body.data}
        published = page.status == PageStatus.PUBLISHED
    else:
        changes = _changes(form)
        published = form.status.data == PageStatus.PUBLISHED.value
    problems = _publish_errors(form.body.data, published)
    if problems:
        form.body.errors = [*form.body.errors, *problems]
        return _render(form, page, lang, 400)
    try:
        site_pages.save(page, _user(), changes, expected_version=form.version_value)
    except site_pages.EditConflict as conflict:
        db.session.rollback()
        form.version.data = str(conflict.page.version)
        return _render(form, conflict.page, lang, 409, conflict=True)
    except site_pages.InvalidChange as error:
        db.session.rollback()
        db.session.refresh(page)
        if isinstance(form, PageForm):
            _tree_error(form, error)
        return _render(form, page, lang, 400)
    db.session.commit()
    flash(_saved_message(page), "success")
    return redirect(
        url_for("editor.page_edit", page_id=page.id, lang="en" if lang == "en" else None), 303
    )


@bp.post(f"/pages/<{ID}:page_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def page_delete(page_id: int):
    """Move a page to the trash: readers get 404 for it and for the pages under it."""
    page = _get_page(page_id)
    if page.status != PageStatus.DELETED:
        site_pages.move_to_trash(page, _user())
        db.session.commit()
    flash(_("Đã chuyển trang “%(title)s” vào thùng rác.", title=page.title), "success")
    return redirect(url_for("editor.pages"), 303)


@bp.post(f"/pages/<{ID}:page_id>/restore")
@requires(Capability.MANAGE_PORTAL)
def page_restore(page_id: int):
    """Bring a page back from the trash as a draft."""
    page = _get_page(page_id)
    if page.status == PageStatus.DELETED:
        site_pages.restore_from_trash(page, _user())
        db.session.commit()
    flash(_("Đã khôi phục trang “%(title)s” thành bản nháp.", title=page.title), "success")
    return redirect(url_for("editor.page_edit", page_id=page.id), 303)


@bp.get(f"/pages/<{ID}:page_id>/preview")
@requires(Capability.MANAGE_PORTAL)
def page_preview(page_id: int):
    """The page as readers will see it (drafts too), in the language asked for."""
    page = _get_page(page_id)
    lang = "en" if request.args.get("lang") == "en" else "vi"
    return render_template("editor/site_pages/preview.html", page=page, lang=lang)


# ---------------------------------------------------------------- revisions


def _get_revision(page: Page, revision_id: int) -> PageRevision:
    revision = db.session.get(PageRevision, revision_id)
    if revision is None or revision.page_id != page.id:
        abort(404)
    return revision


@bp.get(f"/pages/<{ID}:page_id>/revisions")
@requires(Capability.MANAGE_PORTAL)
def page_revisions(page_id: int):
    """Every saved version of a page, newest first."""
    page = _get_page(page_id)
    revisions = site_pages.revisions(page)
    people = {u.id: u for u in db.session.scalars(sa.select(User))}
    return render_template(
        "editor/site_pages/revisions.html", page=page, revisions=revisions, people=people
    )


@bp.get(f"/pages/<{ID}:page_id>/revisions/<{ID}:revision_id>")
@requires(Capability.MANAGE_PORTAL)
def page_revision(page_id: int, revision_id: int):
    """One saved version beside the current one (text of both languages)."""
    page = _get_page(page_id)
    revision = _get_revision(page, revision_id)
    diff = articles.text_diff(
        articles.readable(revision.title, "", revision.body),
        articles.readable(page.title, "", page.body),
    )
    diff_en = articles.text_diff(
        articles.readable(revision.title_en, "", revision.body_en),
        articles.readable(page.title_en, "", page.body_en),
    )
    return render_template(
        "editor/site_pages/revision.html",
        page=page,
        revision=revision,
        diff=diff,
        diff_en=diff_en,
        current_number=_latest_number(page),
    )


@bp.post(f"/pages/<{ID}:page_id>/revisions/<{ID}:revision_id>/restore")
@requires(Capability.MANAGE_PORTAL)
def page_revision_restore(page_id: int, revision_id: int):
    """Bring back an old version's titles and bodies (as a new revision)."""
    page = _get_page(page_id)
    revision = _get_revision(page, revision_id)
    if page.status == PageStatus.DELETED:
        abort(409)
    site_pages.restore_revision(page, revision, _user())
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
    return redirect(url_for("editor.page_edit", page_id=page.id), 303)
