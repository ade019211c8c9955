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
from bantin.models.contact import Contact, ContactUnit
from bantin.models.mail import AccountToken, MailMessage, MailStatus, TokenPurpose
from bantin.models.media import Media, MediaKind
from bantin.models.official_document import (
    DocumentStatus,
    DocumentTerm,
    LegalStatus,
    OfficialDocument,
    OfficialDocumentFile,
    OfficialDocumentRevision,
    TermKind,
)
from bantin.models.page import MenuItem, MenuTarget, Page, PageRevision, PageStatus
from bantin.models.question import Question, QuestionStatus
from bantin.models.schedule import ScheduleEntry, ScheduleWeek
from bantin.models.site import ContentState, SiteSettings, WebLink
from bantin.models.stats import ArticleDailyViews, DailyStats, RateEvent, ViewLogPosition
from bantin.models.two_factor import RecoveryCode
from bantin.models.user import LoginAttempt, Role, User

__all__ = [
    "AccountToken",
    "Article",
    "ArticleAutosave",
    "ArticleDailyViews",
    "ArticleRevision",
    "ArticleStatus",
    "AuditLog",
    "CaptchaChallenge",
    "Category",
    "Comment",
    "CommentStatus",
    "Contact",
    "ContactUnit",
    "ContentState",
    "DailyStats",
    "DocumentStatus",
    "DocumentTerm",
    "LegalStatus",
    "LoginAttempt",
    "MailMessage",
    "MailStatus",
    "Media",
    "MediaKind",
    "MenuItem",
    "MenuTarget",
    "OfficialDocument",
    "OfficialDocumentFile",
    "OfficialDocumentRevision",
    "Page",
    "PageRevision",
    "PageStatus",
    "Question",
    "QuestionStatus",
    "RateEvent",
    "RecoveryCode",
    "Role",
    "ScheduleEntry",
    "ScheduleWeek",
    "SiteSettings",
    "TermKind",
    "TokenPurpose",
    "User",
    "ViewLogPosition",
    "WebLink",
]
