"""The article service: every way an article changes goes through `save()`.

`save()` normalises text (NFC), sanitises the body, derives the slug, bumps `version` and
`updated_at`, stores a revision and records an audit event. The caller commits, so the
change, its revision and its audit row land together. (The search index follows by itself:
bantin.search listens to the ORM's article writes, inside the same transaction.)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bantin import audit, body_inventory
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleRevision, ArticleStatus, User
from bantin.sanitize import clean_html, html_to_text, is_upload_url
from bantin.text import clean_line, nfc, slugify

# What a revision's `note` holds: a key, shown to people through a translated label.
NOTE_CREATE = "create"
NOTE_EDIT = "edit"
NOTE_PUBLISH = "publish"
NOTE_DELETE = "delete"
NOTE_RESTORE = "restore"
NOTE_REVISION_RESTORE = "revision_restore"
# bantin.review adds submit, withdraw, approve and return.

EDITABLE_FIELDS = (
    "title",
    "slug",
    "category_id",
    "author_name",
    "lead",
    "body",
    "cover_url",
    "status",
    "published_at",
    "featured",
    "allow_comments",
    # the review (bantin.review)
    "submitted_at",
    "review_note",
)


class EditConflict(Exception):
    """Someone saved the article after this form was opened."""

    def __init__(self, article: Article) -> None:
        super().__init__(f"article {article.id} changed (now version {article.version})")
        self.article = article


class InvalidChange(ValueError):
    """A value the service refuses whatever the form said (defence in depth)."""


def clean_lead(value: Any) -> str:
    text = nfc(str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _normalise(field: str, value: Any) -> Any:
    if field in {"title", "author_name"}:
        return clean_line(value)
    if field == "lead":
        return clean_lead(value)
    if field == "review_note":
        return clean_lead(value)[:1000]
    if field == "body":
        return clean_html(value)
    if field == "cover_url":
        value = (value or "").strip()
        if value and not is_upload_url(value):
            raise InvalidChange("cover_url must be an /uploads/ path")
        return value or None
    if field == "status":
        return ArticleStatus(value)
    if field == "submitted_at":
        return value
    if field in {"featured", "allow_comments"}:
        return bool(value)
    if field == "category_id":
        return int(value)
    return value


def _action_for(is_new: bool, was_published: bool, article: Article) -> list[str]:
    now_published = article.status == ArticleStatus.PUBLISHED
    if is_new:
        return ["article.create"] + (["article.publish"] if now_published else [])
    if now_published and not was_published:
        return ["article.publish"]
    return ["article.edit"]


def save(
    article: Article | None,
    user: User | None,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    action: str | None = None,
    note: str | None = None,
) -> Article:
    """Create (article=None) or change an article; the one save path for every caller.

    `expected_version` is the version the editing form was opened with: if the stored one
    differs, EditConflict is raised and nothing changes. The check and the bump are one
    conditional UPDATE, so two concurrent saves cannot both pass it.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"not editable: {sorted(unknown)}")
    is_new = article is None
    now = utcnow()
    user_id = user.id if user is not None else None

    if article is None:
        article = Article(created_by_id=user_id, created_at=now, version=1)
        was_published = False
    else:
        was_published = article.status == ArticleStatus.PUBLISHED
        if expected_version is not None:
            bumped = db.session.execute(
                sa.update(Article)
                .where(Article.id == article.id, Article.version == expected_version)
                .values(version=expected_version + 1)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount != 1:
                db.session.refresh(article)
                raise EditConflict(article)
            article.version = expected_version + 1
        else:
            article.version = Article.version + 1  # in SQL: never a lost increment

    for field, value in changes.items():
        if field != "slug":
            setattr(article, field, _normalise(field, value))
    if not article.title:
        raise InvalidChange("an article needs a title")
    # A typed slug is normalised; an empty one comes from the title. Otherwise the
    # address stays as it was (links already shared keep working).
    if "slug" in changes or is_new:
        article.slug = slugify(nfc(changes.get("slug") or "") or article.title)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    article.body_image_url = _thumbnail_from_body(article.body)
    article.updated_at = now
    article.updated_by_id = user_id

    db.session.add(article)
    db.session.flush()

    actions = [action] if action else _action_for(is_new, was_published, article)
    revision_note = note or actions[-1].removeprefix("article.")
    last_number = db.session.scalar(
        sa.select(sa.func.max(ArticleRevision.number)).where(
            ArticleRevision.article_id == article.id
        )
    )
    db.session.add(
        ArticleRevision(
            article_id=article.id,
            number=(last_number or 0) + 1,
            title=article.title,
            lead=article.lead,
            body=article.body,
            user_id=user_id,
            created_at=now,
            note=revision_note[:200],
        )
    )
    detail = f"{article.title[:300]} [{article.status.value}]"
    for name in actions:
        audit.record(name, "article", article.id, detail, user=user)
    db.session.flush()
    return article


def _thumbnail_from_body(body: str | None) -> str | None:
    src = body_inventory.first_image_src(body)
    # The sanitiser keeps only /uploads/ images; this guards the column all the same.
    return src if src and len(src) <= 300 and is_upload_url(src) else None


# ---------------------------------------------------------------- publishing rules


@dataclass(frozen=True)
class PublishCheck:
    """Why a body cannot be published yet (the form and the bulk action share this rule)."""

    empty: bool = False
    images_without_alt: tuple[body_inventory.BodyImage, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.empty and not self.images_without_alt


def publish_check(body: str | None) -> PublishCheck:
    """A published article needs content, and every image described (alt, or alt="")."""
    items = body_inventory.inventory(body)
    empty = not html_to_text(body) and not items.images and not items.attachments
    return PublishCheck(empty=empty, images_without_alt=tuple(items.images_without_alt))


def lost_media(before: str | None, after: str | None) -> list[str]:
    """Names of the images and attachments a change of body removed (for a warning)."""
    changes = body_inventory.compare(before, after)
    return [item.label for item in (*changes.images_removed, *changes.attachments_removed)]


# ---------------------------------------------------------------- the save paths


def create(user: User | None, data: dict[str, Any]) -> Article:
    return save(None, user, data)


def update(
    article: Article, user: User | None, data: dict[str, Any], expected_version: int | None
) -> Article:
    return save(article, user, data, expected_version=expected_version)


def move_to_trash(article: Article, user: User | None) -> Article:
    """Readers get 404 from now on; an admin can restore it."""
    return save(
        article,
        user,
        {"status": ArticleStatus.DELETED.value},
        action="article.delete",
        note=NOTE_DELETE,
    )


def restore_from_trash(article: Article, user: User | None) -> Article:
    """Back as a draft: an editor checks it before it is published again."""
    return save(
        article,
        user,
        {"status": ArticleStatus.DRAFT.value},
        action="article.restore",
        note=NOTE_RESTORE,
    )


def restore_revision(article: Article, revision: ArticleRevision, user: User | None) -> Article:
    """Title, lead and body come back from the revision; the restore is a new revision."""
    return save(
        article,
        user,
        {"title": revision.title, "lead": revision.lead, "body": revision.body},
        action="article.revision_restore",
        note=f"{NOTE_REVISION_RESTORE}:{revision.id}",
    )


# ---------------------------------------------------------------- comparing versions


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Line diff of two texts (plain text; HTML bodies go through html_to_text first)."""
    lines: list[DiffLine] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(tag, "same")
        lines.append(DiffLine(kind, text))
    return lines


def readable(title: str, lead: str, body: str) -> str:
    """An article as plain lines (title, lead, one line per paragraph) for comparing."""
    return "\n".join([title or "", "", lead or "", "", *_paragraphs(body)])


_BLOCK_END = re.compile(r"</(?:p|h[2-4]|li|blockquote|figure|figcaption|div|tr)>|<br>")


def _paragraphs(body: str) -> list[str]:
    blocks = _BLOCK_END.split(body or "")
    return [text for text in (html_to_text(block) for block in blocks) if text]


def published_state(article: Article, now: datetime | None = None) -> str:
    """draft / review / scheduled / published / deleted, for lists and badges."""
    if article.status == ArticleStatus.DELETED:
        return "deleted"
    if article.status == ArticleStatus.REVIEW:
        return "review"
    if article.status == ArticleStatus.DRAFT:
        return "draft"
    if article.published_at is not None and article.published_at > (now or utcnow()):
        return "scheduled"
    return "published"
