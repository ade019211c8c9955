"""Official documents in the editor, their three lists (types, issuers, fields)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bantin import audit
from bantin import documents as attachments
from bantin import official_documents as service
from bantin.extensions import db
from bantin.formatting import local_datetime
from bantin.models import (
    DocumentStatus,
    DocumentTerm,
    Media,
    MediaKind,
    OfficialDocument,
    OfficialDocumentRevision,
    TermKind,
    User,
)
from bantin.permissions import Capability, requires
from bantin.text import clean_line
from bantin.web.paging import page_arg, paginate
from blueprints.editor.blueprint import bp
from blueprints.editor.official_documents_forms import DocumentForm, TermForm

PER_PAGE = 30
ID = "int(max=2147483647)"
STATUS_FILTERS = ("draft", "published", "deleted")
LIBRARY_FILES = 300  # the newest documents of the media library offered in the picker


def _user() -> User:
    return current_user._get_current_object()


def _get(document_id: int) -> OfficialDocument:
    doc = service.get(document_id)
    if doc is None:
        abort(404)
    return doc


def _id_arg(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


# ---------------------------------------------------------------- the list


@bp.get("/documents")
@requires(Capability.MANAGE_PORTAL)
def documents():
    """Documents: filter by status, type and words (number, abstract); newest issued first."""
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    text = clean_line(request.args.get("q", ""))[: service.QUERY_MAX]
    type_id = _id_arg(request.args.get("type", ""))
    stmt = service.filtered(service.Filters(q=text, type_id=type_id), visible_only=False)
    if status:
        stmt = stmt.where(OfficialDocument.status == DocumentStatus(status))
    else:
        stmt = stmt.where(OfficialDocument.status != DocumentStatus.DELETED)
    page = paginate(service.count(stmt), PER_PAGE, page_arg())
    return render_template(
        "editor/documents/list.html",
        docs=service.listing(stmt, page),
        types=service.terms(TermKind.TYPE),
        status=status,
        text=text,
        type_id=type_id,
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


# ---------------------------------------------------------------- the form


def _others(doc: OfficialDocument | None) -> list[OfficialDocument]:
    """Documents that may replace this one (not itself, not in the trash)."""
    stmt = sa.select(OfficialDocument).where(OfficialDocument.status != DocumentStatus.DELETED)
    if doc is not None:
        stmt = stmt.where(OfficialDocument.id != doc.id)
    return list(db.session.scalars(stmt.order_by(*service.NEWEST_ISSUED).limit(2000)).all())


def _library_files() -> list[Media]:
    return list(
        db.session.scalars(
            sa.select(Media)
            .where(Media.kind == MediaKind.FILE)
            .order_by(Media.created_at.desc(), Media.id.desc())
            .limit(LIBRARY_FILES)
        ).all()
    )


def _form(doc: OfficialDocument | None) -> DocumentForm:
    return DocumentForm(
        terms=service.all_terms(),
        others=_others(doc),
        document=doc,
        obj=doc if request.method == "GET" else None,
    )


def _chosen_files(form: DocumentForm) -> list[Media]:
    """The files the form lists, in its order (unknown ids dropped: shown as gone)."""
    ids = list(form.file_ids.data or [])
    if not ids:
        return []
    found = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Media).where(Media.id.in_(ids), Media.kind == MediaKind.FILE)
        )
    }
    return [found[i] for i in ids if i in found]


def _render(form: DocumentForm, doc: OfficialDocument | None, status: int = 200, **extra):
    revision_number = (
        db.session.scalar(
            sa.select(sa.func.max(OfficialDocumentRevision.number)).where(
                OfficialDocumentRevision.document_id == doc.id
            )
        )
        if doc is not None
        else None
    )
    return (
        render_template(
            "editor/documents/form.html",
            form=form,
            doc=doc,
            files=_chosen_files(form),
            library=_library_files(),
            revision_number=revision_number,
            trashed=doc is not None and doc.status == DocumentStatus.DELETED,
            accept=",".join(f".{ext}" for ext in attachments.EXTENSIONS),
            type_label=attachments.type_label,
            **extra,
        ),
        status,
    )


def _store_posted_files(form: DocumentForm) -> list[str]:
    """Files chosen in the form's own file input (without JavaScript): stored through the
    attachment checks and added to the list; returns the refusals, one per file."""
    problems = []
    added = list(form.file_ids.data or [])
    for storage in request.files.getlist("upload"):
        if not storage or not storage.filename:
            continue
        try:
            data, name = attachments.read_upload(storage, attachments.max_bytes())
            item = attachments.store_document(data, name, _user())
        except attachments.media.UploadError as exc:
            problems.append(f"{storage.filename}: {exc.message}")
            continue
        audit.record("media.upload", "media", item.id, f"{item.path} ({item.original_name})"[:500])
        added.append(item.id)
    form.file_ids.data = added
    return problems


def _saved_message(doc: OfficialDocument) -> str:
    if doc.status == DocumentStatus.PUBLISHED:
        return _("Đã lưu và đăng văn bản.")
    return _("Đã lưu bản nháp văn bản.")


@bp.route("/documents/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def document_new():
    """Enter a new document."""
    form = _form(None)
    if request.method == "GET":
        form.legal_status.data = "in_force"
        return _render(form, None)
    valid = form.validate_on_submit()
    problems = _store_posted_files(form)
    if not valid or problems:
        db.session.commit()  # files that passed stay in the library, listed in the form
        return _render(form, None, 400, upload_problems=problems)
    try:
        doc = service.create(_user(), form.changes())
    except service.InvalidChange:
        db.session.rollback()
        abort(400)
    db.session.commit()
    flash(_saved_message(doc), "success")
    return redirect(url_for("editor.document_edit", document_id=doc.id), 303)


@bp.route(f"/documents/<{ID}:document_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def document_edit(document_id: int):
    """Edit a document; a save based on an older version is shown, never applied silently."""
    doc = _get(document_id)
    form = _form(doc)
    if request.method == "GET":
        form.type_id.data = str(doc.type_id)
        form.issuer_id.data = str(doc.issuer_id or "")
        form.field_id.data = str(doc.field_id or "")
        form.replaced_by_id.data = str(doc.replaced_by_id or "")
        form.legal_status.data = doc.legal_status.value
        form.status.data = (
            DocumentStatus.DRAFT.value if doc.status == DocumentStatus.DELETED else doc.status.value
        )
        form.file_ids.data = [f.media_id for f in doc.files]
        form.version.data = str(doc.version)
        return _render(form, doc)
    if doc.status == DocumentStatus.DELETED:
        return _render(form, doc, 409)
    valid = form.validate_on_submit()
    problems = _store_posted_files(form)
    if not valid or problems:
        db.session.commit()
        return _render(form, doc, 400, upload_problems=problems)
    try:
        service.save(doc, _user(), form.changes(), expected_version=form.version_value)
    except service.EditConflict as conflict:
        db.session.rollback()
        saved_by = (
            db.session.get(User, conflict.document.updated_by_id)
            if conflict.document.updated_by_id
            else None
        )
        form.version.data = str(conflict.document.version)
        return _render(form, conflict.document, 409, conflict=True, saved_by=saved_by)
    except service.InvalidChange:
        db.session.rollback()
        abort(400)
    db.session.commit()
    flash(_saved_message(doc), "success")
    return redirect(url_for("editor.document_edit", document_id=doc.id), 303)


@bp.post(f"/documents/<{ID}:document_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def document_delete(document_id: int):
    """Move a document to the trash (readers get 404; it can be restored)."""
    doc = _get(document_id)
    if doc.status != DocumentStatus.DELETED:
        service.move_to_trash(doc, _user())
        db.session.commit()
    flash(_("Đã chuyển văn bản “%(number)s” vào thùng rác.", number=doc.number), "success")
    return redirect(url_for("editor.documents"), 303)


@bp.post(f"/documents/<{ID}:document_id>/restore")
@requires(Capability.MANAGE_PORTAL)
def document_restore(document_id: int):
    """Bring a document back from the trash as a draft."""
    doc = _get(document_id)
    if doc.status == DocumentStatus.DELETED:
        service.restore_from_trash(doc, _user())
        db.session.commit()
    flash(_("Đã khôi phục văn bản “%(number)s” thành bản nháp.", number=doc.number), "success")
    return redirect(url_for("editor.document_edit", document_id=doc.id), 303)


@bp.get(f"/documents/<{ID}:document_id>/preview")
@requires(Capability.MANAGE_PORTAL)
def document_preview(document_id: int):
    """The document as readers will see it, drafts and trashed ones too."""
    doc = _get(document_id)
    replaces = service.replaces(doc)
    replaced_by = doc.replaced_by
    shown = {d.id for d in replaces} | ({replaced_by.id} if replaced_by else set())
    states = {
        DocumentStatus.DRAFT: _("Bản nháp"),
        DocumentStatus.PUBLISHED: _("Đã đăng"),
        DocumentStatus.DELETED: _("Thùng rác"),
    }
    return render_template(
        "public/documents/document.html",
        doc=doc,
        replaces=replaces,
        replaced_by=replaced_by,
        same_field=service.same_field(doc, shown),
        print_view=False,
        preview=True,
        preview_state=states[doc.status],
    )


# ---------------------------------------------------------------- revisions


def _get_revision(doc: OfficialDocument, revision_id: int) -> OfficialDocumentRevision:
    revision = db.session.get(OfficialDocumentRevision, revision_id)
    if revision is None or revision.document_id != doc.id:
        abort(404)
    return revision


REVISION_FIELDS = (
    ("number", _l("Số/Ký hiệu")),
    ("type", _l("Loại văn bản")),
    ("issuer", _l("Cơ quan ban hành")),
    ("field", _l("Lĩnh vực")),
    ("issued_on", _l("Ngày ban hành")),
    ("effective_on", _l("Ngày có hiệu lực")),
    ("signer", _l("Người ký")),
    ("abstract", _l("Trích yếu")),
    ("legal_status", _l("Tình trạng hiệu lực")),
    ("replaced_by_id", _l("Văn bản thay thế")),
    ("status", _l("Trạng thái")),
    ("files", _l("Tệp văn bản")),
)


def _shown(key: str, value) -> str:
    if key == "files":
        return ", ".join(f.get("name", "") for f in value or [] if isinstance(f, dict))
    if key in {"issued_on", "effective_on"} and value:
        return "/".join(reversed(str(value).split("-")))
    if key == "replaced_by_id":
        return f"#{value}" if value else ""
    return "" if value is None else str(value)


@bp.get(f"/documents/<{ID}:document_id>/revisions")
@requires(Capability.MANAGE_PORTAL)
def document_revisions(document_id: int):
    """Every saved version of a document's metadata, newest first."""
    doc = _get(document_id)
    revisions = db.session.scalars(
        sa.select(OfficialDocumentRevision)
        .where(OfficialDocumentRevision.document_id == doc.id)
        .order_by(OfficialDocumentRevision.number.desc())
        .limit(500)
    ).all()
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_({r.user_id for r in revisions if r.user_id}))
        )
    }
    current = service.metadata(doc)
    rows = []
    for revision in revisions:
        data = service.revision_data(revision)
        changed = [
            label
            for key, label in REVISION_FIELDS
            if _shown(key, data.get(key)) != _shown(key, current.get(key))
        ]
        rows.append((revision, data, users.get(revision.user_id), changed))
    return render_template(
        "editor/documents/revisions.html", doc=doc, rows=rows, fields=REVISION_FIELDS
    )


@bp.get(f"/documents/<{ID}:document_id>/revisions/<{ID}:revision_id>")
@requires(Capability.MANAGE_PORTAL)
def document_revision(document_id: int, revision_id: int):
    """One saved version next to the current metadata."""
    doc = _get(document_id)
    revision = _get_revision(doc, revision_id)
    data = service.revision_data(revision)
    current = service.metadata(doc)
    rows = [
        (label, _shown(key, data.get(key)), _shown(key, current.get(key)))
        for key, label in REVISION_FIELDS
    ]
    return render_template("editor/documents/revision.html", doc=doc, revision=revision, rows=rows)


@bp.post(f"/documents/<{ID}:document_id>/revisions/<{ID}:revision_id>/restore")
@requires(Capability.MANAGE_PORTAL)
def document_revision_restore(document_id: int, revision_id: int):
    """Bring back an old version's metadata and files (as a new revision)."""
    doc = _get(document_id)
    revision = _get_revision(doc, revision_id)
    if doc.status == DocumentStatus.DELETED:
        abort(409)
    try:
        service.restore_revision(doc, revision, _user())
    except service.InvalidChange:
        db.session.rollback()
        flash(
            _(
                "Không khôi phục được phiên bản %(n)s: số/ký hiệu đó nay trùng với một văn bản "
                "cùng loại khác.",
                n=revision.number,
            ),
            "error",
        )
        return redirect(url_for("editor.document_revisions", document_id=doc.id), 303)
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
    return redirect(url_for("editor.document_edit", document_id=doc.id), 303)


# ---------------------------------------------------------------- the three lists

KIND_ARGS = {"type": TermKind.TYPE, "issuer": TermKind.ISSUER, "field": TermKind.FIELD}


def _terms_page(status: int = 200, forms: dict | None = None, error: str | None = None):
    usage = {kind: service.term_usage(kind) for kind in TermKind}
    grouped = service.all_terms()
    forms = forms or {}
    sections = [
        (arg, kind, grouped[kind], usage[kind], forms.get(arg) or TermForm(prefix=arg))
        for arg, kind in KIND_ARGS.items()
    ]
    return (
        render_template("editor/documents/terms.html", sections=sections, error=error),
        status,
    )


def _get_term(term_id: int) -> DocumentTerm:
    term = db.session.get(DocumentTerm, term_id)
    if term is None:
        abort(404)
    return term


@bp.get("/documents/terms")
@requires(Capability.MANAGE_PORTAL)
def document_terms():
    """The lists documents are filed under: types, issuing bodies, fields."""
    return _terms_page()


@bp.post("/documents/terms/<kind>")
@requires(Capability.MANAGE_PORTAL)
def document_term_create(kind: str):
    """Add a type, issuer or field at the end of its list."""
    if kind not in KIND_ARGS:
        abort(404)
    form = TermForm(prefix=kind)
    if not form.validate_on_submit():
        return _terms_page(400, forms={kind: form})
    if service.term_by_name(KIND_ARGS[kind], form.name.data) is not None:
        form.name.errors = [*form.name.errors, _("Tên này đã có trong danh sách.")]
        return _terms_page(400, forms={kind: form})
    term = service.create_term(KIND_ARGS[kind], form.name.data, form.name_en.data, _user())
    db.session.commit()
    flash(_("Đã thêm “%(name)s”.", name=term.name), "success")
    return redirect(url_for("editor.document_terms", _anchor=f"terms-{kind}"), 303)


@bp.post(f"/documents/terms/<{ID}:term_id>/rename")
@requires(Capability.MANAGE_PORTAL)
def document_term_rename(term_id: int):
    """Rename a term (documents filed under it show the new name)."""
    term = _get_term(term_id)
    form = TermForm(prefix=f"t{term.id}")
    other = service.term_by_name(term.kind, form.name.data or "")
    if not form.validate_on_submit() or (other is not None and other.id != term.id):
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors) or _(
            "Tên này đã có trong danh sách."
        )
        return _terms_page(
            400, error=_("Chưa đổi tên “%(name)s”: %(why)s", name=term.name, why=message)
        )
    service.rename_term(term, form.name.data, form.name_en.data, _user())
    db.session.commit()
    flash(_("Đã lưu “%(name)s”.", name=term.name), "success")
    return redirect(url_for("editor.document_terms", _anchor=f"term-{term.id}"), 303)


@bp.post(f"/documents/terms/<{ID}:term_id>/move")
@requires(Capability.MANAGE_PORTAL)
def document_term_move(term_id: int):
    """Move a term up or down its list (the order of the public filter's options)."""
    term = _get_term(term_id)
    direction = request.form.get("direction", "")
    if direction not in {"up", "down"}:
        abort(400)
    service.move_term(term, direction, _user())
    db.session.commit()
    return redirect(url_for("editor.document_terms", _anchor=f"term-{term.id}"), 303)


@bp.post(f"/documents/terms/<{ID}:term_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def document_term_delete(term_id: int):
    """Delete a term no document is filed under."""
    term = _get_term(term_id)
    name = term.name
    try:
        service.delete_term(term, _user())
    except service.TermInUse as exc:
        db.session.rollback()
        return _terms_page(
            409,
            error=_(
                "Không xóa được “%(name)s” vì còn %(n)s văn bản thuộc mục này (kể cả trong "
                "thùng rác). Hãy chuyển các văn bản đó sang mục khác trước, hoặc đổi tên mục.",
                name=name,
                n=exc.count,
            ),
        )
    db.session.commit()
    flash(_("Đã xóa “%(name)s”.", name=name), "success")
    return redirect(url_for("editor.document_terms"), 303)
