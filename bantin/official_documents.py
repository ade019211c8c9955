"""The official documents service (văn bản): every change goes through `save()`.

`save()` normalises the metadata (NFC, trimmed lines), checks it (a number, a type, an issue
date, no duplicate number of the same type, files that are documents of the library),
derives the slug and the folded search text, bumps `version` and `updated_at`, replaces the
file list, stores a revision of the metadata (JSON) and records an audit event. The caller
commits, so the change, its revision and its audit row land together.

The three lists a document is filed under (types, issuers, fields) are DocumentTerm rows,
edited here too; a term still in use cannot be deleted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from bantin import audit
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import (
    DocumentStatus,
    DocumentTerm,
    LegalStatus,
    Media,
    MediaKind,
    OfficialDocument,
    OfficialDocumentFile,
    OfficialDocumentRevision,
    TermKind,
    User,
)
from bantin.search.query import fast_fold, fold_d
from bantin.text import clean_line, nfc, slugify

PER_PAGE = 20
RELATED_MAX = 6
FEED_ITEMS = 20
NUMBER_MAX = 100
ABSTRACT_MAX = 2000
SIGNER_MAX = 200
TERM_MAX = 200
QUERY_MAX = 200
MIN_YEAR, MAX_YEAR = 1900, 2100

EDITABLE_FIELDS = (
    "number",
    "abstract",
    "type_id",
    "issuer_id",
    "field_id",
    "issued_on",
    "effective_on",
    "signer",
    "legal_status",
    "replaced_by_id",
    "status",
    "file_ids",
)


class EditConflict(Exception):
    """Someone saved the document after this form was opened."""

    def __init__(self, document: OfficialDocument) -> None:
        super().__init__(f"document {document.id} changed (now version {document.version})")
        self.document = document


class InvalidChange(ValueError):
    """A value the service refuses whatever the form said (defence in depth)."""


class TermInUse(ValueError):
    """A term that documents are filed under: it cannot be deleted."""

    def __init__(self, term: DocumentTerm, count: int) -> None:
        super().__init__(f"term {term.id} is used by {count} documents")
        self.term = term
        self.count = count


# ---------------------------------------------------------------- folding and matching

_NON_WORD = re.compile(r"[\W_]+")
_NUMBER_LIKE = re.compile(r"[^\W_][/\-.][^\W_]")


def _word(word: str) -> str:
    # "09" and "9" are one number: 09/2023/QĐ-UBND is found by "9/2023".
    return word.lstrip("0") or "0" if word.isascii() and word.isdigit() else word


def fold_words(value: str | None) -> str:
    """Folded words between single spaces: "15/2025/QĐ-UBND" -> "15 2025 qd ubnd"."""
    folded = _NON_WORD.sub(" ", fast_fold(fold_d(nfc(value or ""))))
    return " ".join(_word(w) for w in folded.split())


def folded_text(number: str, abstract: str) -> str:
    """What the `folded` column holds: " <number words> <abstract words> "."""
    return f" {fold_words(number)} {fold_words(abstract)} "


def query_clause(q: str) -> sa.ColumnElement[bool] | None:
    """The `q` filter: every word must start a word of the number or abstract (a number
    word must be the whole word: "15" does not find 150); a query written like a number
    ("15/2025", "15/2025/qd-ubnd") must also appear as that run of words. None when the
    query has no words.
    """
    words = fold_words(q).split()[:16]
    if not words:
        return None
    column = OfficialDocument.folded
    conditions = []
    for word in words:
        pattern = f"% {word} %" if word.isascii() and word.isdigit() else f"% {word}%"
        conditions.append(column.like(pattern))
    if len(words) > 1 and _NUMBER_LIKE.search(q):
        conditions.append(column.like(f"% {' '.join(words)}%"))
    return sa.and_(*conditions)


# ---------------------------------------------------------------- terms


def terms(kind: TermKind) -> list[DocumentTerm]:
    return list(
        db.session.scalars(
            sa.select(DocumentTerm)
            .where(DocumentTerm.kind == kind)
            .order_by(DocumentTerm.position, DocumentTerm.id)
        ).all()
    )


def all_terms() -> dict[TermKind, list[DocumentTerm]]:
    rows = db.session.scalars(
        sa.select(DocumentTerm).order_by(DocumentTerm.position, DocumentTerm.id)
    ).all()
    grouped: dict[TermKind, list[DocumentTerm]] = {kind: [] for kind in TermKind}
    for term in rows:
        grouped[term.kind].append(term)
    return grouped


def term_by_name(kind: TermKind, name: str) -> DocumentTerm | None:
    """The term of this kind whose name matches, ignoring case and diacritics."""
    wanted = fold_words(name)
    for term in terms(kind):
        if fold_words(term.name) == wanted:
            return term
    return None


def _term_column(kind: TermKind):
    return {
        TermKind.TYPE: OfficialDocument.type_id,
        TermKind.ISSUER: OfficialDocument.issuer_id,
        TermKind.FIELD: OfficialDocument.field_id,
    }[kind]


def term_usage(kind: TermKind) -> dict[int, int]:
    """term id -> how many documents (trash included) are filed under it."""
    column = _term_column(kind)
    return dict(
        db.session.execute(
            sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
        ).all()
    )


def create_term(kind: TermKind, name: str, name_en: str = "", user: User | None = None):
    name = clean_line(name)[:TERM_MAX]
    if not name:
        raise InvalidChange("a term needs a name")
    last = db.session.scalar(
        sa.select(sa.func.max(DocumentTerm.position)).where(DocumentTerm.kind == kind)
    )
    term = DocumentTerm(
        kind=kind, name=name, name_en=clean_line(name_en)[:TERM_MAX], position=(last or 0) + 1
    )
    db.session.add(term)
    db.session.flush()
    audit.record("document_term.create", "document_term", term.id, f"{kind.value}: {name}", user)
    return term


def rename_term(term: DocumentTerm, name: str, name_en: str, user: User | None = None):
    name = clean_line(name)[:TERM_MAX]
    if not name:
        raise InvalidChange("a term needs a name")
    old = term.name
    term.name = name
    term.name_en = clean_line(name_en)[:TERM_MAX]
    db.session.flush()
    audit.record(
        "document_term.update", "document_term", term.id, f"{term.kind.value}: {old} → {name}", user
    )
    return term


def move_term(term: DocumentTerm, direction: str, user: User | None = None) -> None:
    """Swap with the neighbour above ("up") or below ("down"); positions renumbered 1…n."""
    rows = terms(term.kind)
    index = next(i for i, t in enumerate(rows) if t.id == term.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position
    db.session.flush()
    audit.record(
        "document_term.update", "document_term", term.id, f"{term.name}: {direction}", user
    )


def delete_term(term: DocumentTerm, user: User | None = None) -> None:
    count = term_usage(term.kind).get(term.id, 0)
    if count:
        raise TermInUse(term, count)
    audit.record(
        "document_term.delete", "document_term", term.id, f"{term.kind.value}: {term.name}", user
    )
    db.session.delete(term)
    db.session.flush()


# ---------------------------------------------------------------- saving


def find_duplicate(number: str, type_id: int, exclude_id: int | None = None):
    """Another document (trash included) with the same number and type, if any.

    Numbers compare folded: "15/2025/qđ-ubnd" is the same as "15/2025/QĐ-UBND".
    """
    wanted = fold_words(number)
    stmt = sa.select(OfficialDocument).where(OfficialDocument.type_id == type_id)
    if exclude_id is not None:
        stmt = stmt.where(OfficialDocument.id != exclude_id)
    first = wanted.split(" ", 1)[0]
    if first:
        stmt = stmt.where(OfficialDocument.folded.like(f"% {first} %"))
    for doc in db.session.scalars(stmt):
        if fold_words(doc.number) == wanted:
            return doc
    return None


def _term_id(kind: TermKind, value: Any, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise InvalidChange(f"a document needs a {kind.value}")
        return None
    term = db.session.get(DocumentTerm, int(value))
    if term is None or term.kind != kind:
        raise InvalidChange(f"{value} is not a {kind.value}")
    return term.id


def _date(value: Any, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidChange("a document needs an issue date")
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if not isinstance(value, date) or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InvalidChange(f"bad date {value!r}")
    return value


def _file_media(ids: list[int]) -> list[Media]:
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        return []
    found = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Media).where(Media.id.in_(unique), Media.kind == MediaKind.FILE)
        )
    }
    missing = [i for i in unique if i not in found]
    if missing:
        raise InvalidChange(f"not documents of the library: {missing}")
    return [found[i] for i in unique]


def _set_files(doc: OfficialDocument, items: list[Media]) -> None:
    existing = {f.media_id: f for f in doc.files}
    rows = []
    for position, item in enumerate(items, start=1):
        row = existing.get(item.id)
        if row is None:
            row = OfficialDocumentFile(media_id=item.id, media=item)
        row.position = position
        rows.append(row)
    doc.files = rows  # rows left out are deleted (delete-orphan)


def _apply(doc: OfficialDocument, field: str, value: Any) -> None:
    if field == "number":
        doc.number = clean_line(value)[:NUMBER_MAX]
    elif field == "abstract":
        text = nfc(str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
        doc.abstract = "\n".join(line.strip() for line in text.split("\n")).strip()[:ABSTRACT_MAX]
    elif field == "signer":
        doc.signer = clean_line(value)[:SIGNER_MAX]
    elif field == "type_id":
        doc.type_id = _term_id(TermKind.TYPE, value, required=True)
    elif field == "issuer_id":
        doc.issuer_id = _term_id(TermKind.ISSUER, value, required=False)
    elif field == "field_id":
        doc.field_id = _term_id(TermKind.FIELD, value, required=False)
    elif field == "issued_on":
        doc.issued_on = _date(value, required=True)
    elif field == "effective_on":
        doc.effective_on = _date(value, required=False)
    elif field == "legal_status":
        doc.legal_status = LegalStatus(value)
    elif field == "replaced_by_id":
        doc.replaced_by_id = int(value) if value not in (None, "") else None
    elif field == "status":
        doc.status = DocumentStatus(value)
    elif field == "file_ids":
        _set_files(doc, _file_media(list(value or [])))


def _action_for(is_new: bool, was_published: bool, doc: OfficialDocument) -> list[str]:
    now_published = doc.status == DocumentStatus.PUBLISHED
    if is_new:
        return ["document.create"] + (["document.publish"] if now_published else [])
    if now_published and not was_published:
        return ["document.publish"]
    if was_published and doc.status == DocumentStatus.DRAFT:
        return ["document.unpublish"]
    return ["document.edit"]


def save(
    doc: OfficialDocument | None,
    user: User | None,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> OfficialDocument:
    """Create (doc=None) or change a document; the one save path for every caller.

    `expected_version` is the version the editing form was opened with: when the stored one
    differs, EditConflict is raised and nothing changes (one conditional UPDATE).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"not editable: {sorted(unknown)}")
    is_new = doc is None
    now = utcnow()
    user_id = user.id if user is not None else None
    if doc is None:
        doc = OfficialDocument(created_by_id=user_id, created_at=now, version=1, files=[])
        was_published = False
    else:
        was_published = doc.status == DocumentStatus.PUBLISHED
        if expected_version is not None:
            bumped = db.session.execute(
                sa.update(OfficialDocument)
                .where(OfficialDocument.id == doc.id, OfficialDocument.version == expected_version)
                .values(version=expected_version + 1)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount != 1:
                db.session.refresh(doc)
                raise EditConflict(doc)
            doc.version = expected_version + 1
        else:
            doc.version = (doc.version or 0) + 1

    for field in EDITABLE_FIELDS:  # a fixed order: file ids are checked last
        if field in changes:
            _apply(doc, field, changes[field])
    if not doc.number:
        raise InvalidChange("a document needs a number")
    if doc.type_id is None or doc.issued_on is None:
        raise InvalidChange("a document needs a type and an issue date")
    if doc.status is None:
        doc.status = DocumentStatus.DRAFT
    if doc.legal_status is None:
        doc.legal_status = LegalStatus.IN_FORCE
    if doc.replaced_by_id is not None:
        if doc.replaced_by_id == doc.id:
            raise InvalidChange("a document cannot replace itself")
        if db.session.get(OfficialDocument, doc.replaced_by_id) is None:
            raise InvalidChange("unknown replacing document")
        doc.legal_status = LegalStatus.REPLACED
    elif doc.legal_status == LegalStatus.REPLACED:
        raise InvalidChange("a replaced document names the one replacing it")
    if find_duplicate(doc.number, doc.type_id, doc.id) is not None:
        raise InvalidChange("duplicate number and type")
    doc.slug = slugify(f"{doc.number} {doc.abstract}", max_length=120)
    doc.folded = folded_text(doc.number, doc.abstract)
    if doc.status == DocumentStatus.PUBLISHED and doc.published_at is None:
        doc.published_at = now
    doc.updated_at = now
    doc.updated_by_id = user_id
    db.session.add(doc)
    db.session.flush()

    actions = [action] if action else _action_for(is_new, was_published, doc)
    last_number = db.session.scalar(
        sa.select(sa.func.max(OfficialDocumentRevision.number)).where(
            OfficialDocumentRevision.document_id == doc.id
        )
    )
    snapshot = metadata(doc)
    snapshot["note"] = actions[-1].removeprefix("document.")
    db.session.add(
        OfficialDocumentRevision(
            document_id=doc.id,
            number=(last_number or 0) + 1,
            data=json.dumps(snapshot, ensure_ascii=False),
            user_id=user_id,
            created_at=now,
        )
    )
    detail = f"{doc.number} {doc.abstract[:250]} [{doc.status.value}]"
    for name in actions:
        audit.record(name, "document", doc.id, detail, user=user, actor=actor)
    db.session.flush()
    return doc


def metadata(doc: OfficialDocument) -> dict[str, Any]:
    """The document's metadata as plain values (a revision's JSON)."""
    db.session.flush()
    files = [
        {"id": f.media_id, "name": f.media.original_name if f.media else ""}
        for f in sorted(doc.files, key=lambda f: f.position)
    ]
    return {
        "number": doc.number,
        "abstract": doc.abstract,
        "type_id": doc.type_id,
        "type": doc.type.name if doc.type else "",
        "issuer_id": doc.issuer_id,
        "issuer": doc.issuer.name if doc.issuer else "",
        "field_id": doc.field_id,
        "field": doc.field.name if doc.field else "",
        "issued_on": doc.issued_on.isoformat() if doc.issued_on else None,
        "effective_on": doc.effective_on.isoformat() if doc.effective_on else None,
        "signer": doc.signer,
        "legal_status": doc.legal_status.value,
        "replaced_by_id": doc.replaced_by_id,
        "status": doc.status.value,
        "files": files,
    }


def create(user: User | None, data: dict[str, Any]) -> OfficialDocument:
    return save(None, user, data)


def move_to_trash(doc: OfficialDocument, user: User | None) -> OfficialDocument:
    return save(doc, user, {"status": DocumentStatus.DELETED.value}, action="document.delete")


def restore_from_trash(doc: OfficialDocument, user: User | None) -> OfficialDocument:
    """Back as a draft: an editor checks it before it is published again."""
    return save(doc, user, {"status": DocumentStatus.DRAFT.value}, action="document.restore")


def revision_data(revision: OfficialDocumentRevision) -> dict[str, Any]:
    try:
        data = json.loads(revision.data)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def restore_revision(
    doc: OfficialDocument, revision: OfficialDocumentRevision, user: User | None
) -> OfficialDocument:
    """The metadata and files of an old revision come back (as a new revision); what no
    longer exists (a deleted term, file or replacing document) is left as it is now."""
    data = revision_data(revision)
    changes: dict[str, Any] = {}
    for field in ("number", "abstract", "signer", "issued_on", "effective_on"):
        if field in data:
            changes[field] = data[field]
    for field, kind in (
        ("type_id", TermKind.TYPE),
        ("issuer_id", TermKind.ISSUER),
        ("field_id", TermKind.FIELD),
    ):
        value = data.get(field)
        term = db.session.get(DocumentTerm, value) if isinstance(value, int) else None
        if value is None and kind != TermKind.TYPE:
            changes[field] = None
        elif term is not None and term.kind == kind:
            changes[field] = term.id
    replaced_by = data.get("replaced_by_id")
    if replaced_by is None or db.session.get(OfficialDocument, replaced_by) is not None:
        changes["replaced_by_id"] = replaced_by
        if data.get("legal_status") in {s.value for s in LegalStatus}:
            changes["legal_status"] = data["legal_status"]
    file_ids = [f.get("id") for f in data.get("files", []) if isinstance(f, dict)]
    present = set(
        db.session.scalars(
            sa.select(Media.id).where(
                Media.id.in_([i for i in file_ids if isinstance(i, int)]),
                Media.kind == MediaKind.FILE,
            )
        )
    )
    changes["file_ids"] = [i for i in file_ids if i in present]
    return save(doc, user, changes, action="document.revision_restore")


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Filters:
    """The public list's filters, already checked (None: not filtered)."""

    q: str = ""
    type_id: int | None = None
    issuer_id: int | None = None
    field_id: int | None = None
    year: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.type_id or self.issuer_id or self.field_id or self.year)


def filtered(filters: Filters, visible_only: bool = True) -> sa.Select:
    stmt = sa.select(OfficialDocument)
    if visible_only:
        stmt = stmt.where(OfficialDocument.visible_clause())
    if filters.q:
        clause = query_clause(filters.q)
        if clause is not None:
            stmt = stmt.where(clause)
    if filters.type_id is not None:
        stmt = stmt.where(OfficialDocument.type_id == filters.type_id)
    if filters.issuer_id is not None:
        stmt = stmt.where(OfficialDocument.issuer_id == filters.issuer_id)
    if filters.field_id is not None:
        stmt = stmt.where(OfficialDocument.field_id == filters.field_id)
    if filters.year is not None:
        stmt = stmt.where(
            OfficialDocument.issued_on >= date(filters.year, 1, 1),
            OfficialDocument.issued_on <= date(filters.year, 12, 31),
        )
    return stmt


NEWEST_ISSUED = (OfficialDocument.issued_on.desc(), OfficialDocument.id.desc())
_LISTING_LOAD = (
    selectinload(OfficialDocument.type),
    selectinload(OfficialDocument.issuer),
    selectinload(OfficialDocument.field),
)


def count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def listing(stmt: sa.Select, page) -> list[OfficialDocument]:
    rows = db.session.scalars(
        page.rows(
            stmt.options(*_LISTING_LOAD, selectinload(OfficialDocument.files)).order_by(
                *NEWEST_ISSUED
            )
        )
    )
    return list(rows.all())


def years() -> list[int]:
    """The years of the visible documents' issue dates, newest first (the year filter)."""
    year = sa.extract("year", OfficialDocument.issued_on)
    rows = db.session.scalars(
        sa.select(year).where(OfficialDocument.visible_clause()).distinct().order_by(year.desc())
    )
    return [int(y) for y in rows if y is not None]


def get(document_id: int) -> OfficialDocument | None:
    return db.session.scalar(
        sa.select(OfficialDocument)
        .where(OfficialDocument.id == document_id)
        .options(
            *_LISTING_LOAD,
            selectinload(OfficialDocument.files).selectinload(OfficialDocumentFile.media),
            selectinload(OfficialDocument.replaced_by),
        )
    )


def replaces(doc: OfficialDocument) -> list[OfficialDocument]:
    """The visible documents this one replaces ("Thay thế")."""
    return list(
        db.session.scalars(
            sa.select(OfficialDocument)
            .where(OfficialDocument.replaced_by_id == doc.id, OfficialDocument.visible_clause())
            .options(*_LISTING_LOAD)
            .order_by(*NEWEST_ISSUED)
        ).all()
    )


def replaced_by(doc: OfficialDocument) -> OfficialDocument | None:
    """The visible document replacing this one ("Được thay thế bởi")."""
    new = doc.replaced_by
    return new if new is not None and new.is_visible() else None


def same_field(doc: OfficialDocument, exclude: set[int], limit: int = RELATED_MAX):
    if doc.field_id is None or limit <= 0:
        return []
    return list(
        db.session.scalars(
            sa.select(OfficialDocument)
            .where(
                OfficialDocument.visible_clause(),
                OfficialDocument.field_id == doc.field_id,
                OfficialDocument.id.not_in(exclude | {doc.id}),
            )
            .options(*_LISTING_LOAD)
            .order_by(*NEWEST_ISSUED)
            .limit(limit)
        ).all()
    )


def feed_items(limit: int = FEED_ITEMS) -> list[OfficialDocument]:
    """The newest published documents, by when they were published on the site."""
    return list(
        db.session.scalars(
            sa.select(OfficialDocument)
            .where(OfficialDocument.visible_clause())
            .options(*_LISTING_LOAD)
            .order_by(OfficialDocument.published_at.desc(), OfficialDocument.id.desc())
            .limit(limit)
        ).all()
    )


def document_file(doc: OfficialDocument, file_id: int) -> OfficialDocumentFile | None:
    return next((f for f in doc.files if f.id == file_id), None)


def title(doc: OfficialDocument) -> str:
    """How a document is named in lists and titles: "Quyết định 15/2025/QĐ-UBND"."""
    return f"{doc.type.name} {doc.number}" if doc.type else doc.number


def searchable_fields(doc: OfficialDocument) -> tuple[str, str, str]:
    """(title, lead, body) for the site search: the name, the abstract, the other metadata."""
    body = " ".join(
        part
        for part in (
            doc.number,
            doc.issuer.name if doc.issuer else "",
            doc.field.name if doc.field else "",
            doc.signer,
        )
        if part
    )
    return title(doc), doc.abstract, body


def documents_with_file(media_id: int) -> list[OfficialDocument]:
    """Every document (trash included) listing this library item among its files: the
    media library must not delete it while one does (a foreign key holds it)."""
    return list(
        db.session.scalars(
            sa.select(OfficialDocument)
            .join(OfficialDocumentFile, OfficialDocumentFile.document_id == OfficialDocument.id)
            .where(OfficialDocumentFile.media_id == media_id)
            .order_by(OfficialDocument.id)
        ).all()
    )


def sitemap_rows() -> list[tuple[int, str, datetime]]:
    """(id, slug, last change) of every visible document, for the sitemap."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(OfficialDocument.id, OfficialDocument.slug, OfficialDocument.updated_at)
            .where(OfficialDocument.visible_clause())
            .order_by(OfficialDocument.id)
        ).all()
    ]


def seed_demo() -> int:
    """The demo office's documents (bantin.official_documents_demo); returns how many."""
    from bantin.official_documents_demo import seed

    return seed()
