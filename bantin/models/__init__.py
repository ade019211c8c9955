"""All models, imported here so Alembic and the app see one metadata."""

from bantin.models.article import (
    Article,
    ArticleAutosave,
    ArticleRevision,
    ArticleStatus,
    Category,
)
from bantin.models.audit import AuditLog
from bantin.models.comment import CaptchaChallenge, Comment, CommentStatus
from bantin.models.media import Media, MediaKind
from bantin.models.site import ContentState, SiteSettings, WebLink
from bantin.models.stats import ArticleDailyViews, DailyStats, RateEvent
from bantin.models.user import LoginAttempt, Role, User

__all__ = [
    "Article",
    "ArticleAutosave",
    "ArticleDailyViews",
    "ArticleRevision",
    "ArticleStatus",
    "AuditLog",
    "CaptchaChallenge",
    "Category",
    "Comment",
    "ContentState",
    "CommentStatus",
    "DailyStats",
    "LoginAttempt",
    "Media",
    "MediaKind",
    "RateEvent",
    "Role",
    "SiteSettings",
    "User",
    "WebLink",
]
