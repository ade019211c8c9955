"""Uploaded media: images (stored in a few widths) and documents (one file), random names."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class MediaKind(enum.StrEnum):
    IMAGE = "image"
    FILE = "file"  # a document: PDF, DOCX, XLSX, PPTX, ODT, ODS


class Media(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MediaKind] = mapped_column(
        sa.Enum(MediaKind, native_enum=False, length=10, validate_strings=True),
        default=MediaKind.IMAGE,
        server_default=MediaKind.IMAGE.name,  # Enum columns store names
    )
    # Images: random stem, files <stem>-<width>.<ext> under UPLOAD_FOLDER/<yyyy>/<mm>/, and
    # `path` is the largest. Documents: UPLOAD_FOLDER/files/<yyyy>/<mm>/<random>.<ext>.
    path: Mapped[str] = mapped_column(sa.String(200), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")
    mime: Mapped[str] = mapped_column(sa.String(100))
    width: Mapped[int] = mapped_column(default=0)  # 0 for documents
    height: Mapped[int] = mapped_column(default=0)
    widths: Mapped[str] = mapped_column(sa.String(100), default="")  # e.g. "320,800,1600"
    bytes: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def _sized(self, slot: int) -> str:
        base, _, rest = self.path.rpartition("-")
        return f"{base}-{slot}.{rest.rpartition('.')[2]}"

    @property
    def url(self) -> str:
        """An image's file at most 800 px wide (always stored: what articles and the logo
        use); a document's one file."""
        return self.path if self.kind == MediaKind.FILE else self._sized(800)

    @property
    def thumb_url(self) -> str:
        """An image's file at most 320 px wide (thumbnails, listing cards); a document's file."""
        return self.path if self.kind == MediaKind.FILE else self._sized(320)
