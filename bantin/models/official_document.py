"""Official documents (văn bản): legal and administrative documents with their metadata,
their files (Media of kind FILE) and revisions of the metadata."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models.media import Media


class TermKind(enum.StrEnum):
    """The three editable lists a document is filed under."""

    TYPE = "type"  # loại văn bản: Nghị quyết, Quyết định, Kế hoạch …
    ISSUER = "issuer"  # cơ quan ban hành
    FIELD = "field"  # lĩnh vực


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"  # in the trash: restorable, never shown to readers


class LegalStatus(enum.StrEnum):
    IN_FORCE = "in_force"  # còn hiệu lực
    EXPIRED = "expired"  # hết hiệu lực
    REPLACED = "replaced"  # được thay thế (replaced_by names the new one)


class DocumentTerm(db.Model):
    __table_args__ = (sa.UniqueConstraint("kind", "name", name="uq_document_term_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TermKind] = mapped_column(
        sa.Enum(TermKind, native_enum=False, length=10, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class OfficialDocument(db.Model):
    __table_args__ = (
        sa.Index("ix_official_document_status_issued", "status", "issued_on"),
        sa.Index("ix_official_document_number", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(100))  # số/ký hiệu: 15/2025/QĐ-UBND
    slug: Mapped[str] = mapped_column(sa.String(200))
    abstract: Mapped[str] = mapped_column(sa.Text, default="")  # trích yếu
    # Number and abstract folded (lowercase, no marks, đ -> d) with every run of other
    # characters made one space, between spaces: " 15 2025 qd ubnd ve viec … ". Kept in
    # step by bantin.official_documents.save(); the `q` filter matches words against it.
    folded: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("document_term.id"))
    issuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_term.id"))
    field_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_term.id"))
    issued_on: Mapped[date] = mapped_column()
    effective_on: Mapped[date | None] = mapped_column()
    signer: Mapped[str] = mapped_column(sa.String(200), default="")
    legal_status: Mapped[LegalStatus] = mapped_column(
        sa.Enum(LegalStatus, native_enum=False, length=16, validate_strings=True),
        default=LegalStatus.IN_FORCE,
    )
    replaced_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("official_document.id", ondelete="SET NULL")
    )
    status: Mapped[DocumentStatus] = mapped_column(
        sa.Enum(DocumentStatus, native_enum=False, length=16, validate_strings=True),
        default=DocumentStatus.DRAFT,
    )
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)  # optimistic check of the edit form
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    type: Mapped[DocumentTerm] = relationship(foreign_keys=[type_id])
    issuer: Mapped[DocumentTerm | None] = relationship(foreign_keys=[issuer_id])
    field: Mapped[DocumentTerm | None] = relationship(foreign_keys=[field_id])
    replaced_by: Mapped[OfficialDocument | None] = relationship(
        remote_side=[id], back_populates="replaces"
    )
    replaces: Mapped[list[OfficialDocument]] = relationship(back_populates="replaced_by")
    files: Mapped[list[OfficialDocumentFile]] = relationship(
        order_by="OfficialDocumentFile.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @staticmethod
    def visible_clause() -> sa.ColumnElement[bool]:
        return OfficialDocument.status == DocumentStatus.PUBLISHED

    def is_visible(self) -> bool:
        return self.status == DocumentStatus.PUBLISHED


class OfficialDocumentFile(db.Model):
    __table_args__ = (sa.UniqueConstraint("document_id", "media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("official_document.id", ondelete="CASCADE"), index=True
    )
    media_id: Mapped[int] = mapped_column(sa.ForeignKey("media.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    media: Mapped[Media] = relationship()


class OfficialDocumentRevision(db.Model):
    """The metadata as saved (JSON): the history of a document, like an article's."""

    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("official_document.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    data: Mapped[str] = mapped_column(sa.Text)  # JSON of the metadata fields and file ids
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
