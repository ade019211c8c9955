"""Uploaded images (each stored in a few widths under a random name)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class Media(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Random stem; files are <stem>-<width>.<ext> under UPLOAD_FOLDER/<yyyy>/<mm>/.
    path: Mapped[str] = mapped_column(sa.String(200), unique=True)  # URL path of the largest
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")
    mime: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    widths: Mapped[str] = mapped_column(sa.String(100), default="")  # e.g. "320,800,1600"
    bytes: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def _sized(self, slot: int) -> str:
        base, _, rest = self.path.rpartition("-")
        return f"{base}-{slot}.{rest.rpartition('.')[2]}"

    @property
    def url(self) -> str:
        """The file at most 800 px wide (always stored): what articles and the logo use."""
        return self._sized(800)

    @property
    def thumb_url(self) -> str:
        """The file at most 320 px wide (always stored): thumbnails and listing cards."""
        return self._sized(320)
