"""Recording audit events; the caller's commit makes them durable with the change itself.

Most events get a row each. Events an outsider can repeat at will (refused sign-ins, wrong
current passwords) go through ``record_repeat``: one row per action, account, address,
detail and ``REPEAT_WINDOW``, whose ``count`` goes up, so a flood of requests cannot grow
the table faster than one row per window and group. Old rows go with ``purge`` (the
``purge`` command), after ``AUDIT_KEEP_DAYS`` days.

``ACTIONS`` is the one registry of action codes: every code the app records is listed there
with its label (a Vietnamese msgid, English in the catalogue), which the audit log shows.
Recording a code missing from it is a bug: it raises under TESTING or DEBUG, so the suite
catches it, and is logged in production, where the row is still written.
"""

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user

from bantin.clock import utcnow
from bantin.database import write_lock
from bantin.extensions import db
from bantin.models import AuditLog, User
from bantin.web.net import client_ip, rate_key

REPEAT_WINDOW = timedelta(minutes=15)
# Long enough for the old text of an edited comment or answer (4,000 characters and a prefix).
DETAIL_MAX = 10_000
DEFAULT_KEEP_DAYS = 365
_PURGE_BATCH = 1000

# Every action code the app records, with the label the audit log shows for it.
ACTIONS = {
    # Sign-in
    "login.success": _l("Đăng nhập thành công"),
    "login.failure": _l("Đăng nhập thất bại"),
    "logout": _l("Đăng xuất"),
    # Articles (bantin.articles)
    "article.create": _l("Tạo bài viết"),
    "article.publish": _l("Đăng bài viết"),
    "article.edit": _l("Sửa bài viết"),
    "article.delete": _l("Chuyển bài viết vào thùng rác"),
    "article.restore": _l("Khôi phục bài viết từ thùng rác"),
    "article.revision_restore": _l("Khôi phục phiên bản cũ của bài viết"),
    "article.submit": _l("Gửi duyệt bài viết"),
    "article.withdraw": _l("Rút bài viết khỏi hàng chờ duyệt"),
    "article.approve": _l("Duyệt và đăng bài viết"),
    "article.return": _l("Trả lại bài viết cho tác giả"),
    # Comment moderation (bantin.comments: "comment." + the moderation action)
    "comment.approve": _l("Duyệt ý kiến bạn đọc"),
    "comment.spam": _l("Đánh dấu ý kiến là thư rác"),
    "comment.trash": _l("Bỏ ý kiến vào thùng rác"),
    "comment.restore": _l("Đưa ý kiến về hàng chờ duyệt"),
    "comment.delete": _l("Xóa vĩnh viễn ý kiến"),
    # Answers to readers (bantin.comment_replies, bantin.questions)
    "comment.edit": _l("Sửa nội dung ý kiến bạn đọc"),
    "comment.reply_create": _l("Trả lời ý kiến bạn đọc"),
    "comment.reply_edit": _l("Sửa trả lời ý kiến bạn đọc"),
    "comment.reply_delete": _l("Xóa trả lời ý kiến bạn đọc"),
    "question.edit": _l("Sửa câu hỏi hoặc câu trả lời"),
    "question.publish": _l("Đăng câu hỏi và câu trả lời"),
    "question.unpublish": _l("Gỡ câu hỏi về hàng chờ trả lời"),
    "question.reject": _l("Từ chối câu hỏi"),
    # Images and documents
    "media.upload": _l("Tải lên ảnh hoặc tệp"),
    "media.delete": _l("Xóa ảnh hoặc tệp"),
    # Official documents (bantin.official_documents)
    "document.create": _l("Tạo văn bản"),
    "document.edit": _l("Sửa văn bản"),
    "document.publish": _l("Đăng văn bản"),
    "document.unpublish": _l("Gỡ văn bản xuống bản nháp"),
    "document.delete": _l("Chuyển văn bản vào thùng rác"),
    "document.restore": _l("Khôi phục văn bản từ thùng rác"),
    "document.revision_restore": _l("Khôi phục phiên bản cũ của văn bản"),
    "document.import": _l("Nhập văn bản từ tệp CSV"),
    "document_term.create": _l("Thêm mục danh mục văn bản"),
    "document_term.update": _l("Sửa mục danh mục văn bản"),
    "document_term.delete": _l("Xóa mục danh mục văn bản"),
    # Pages and the menu (bantin.site_pages, bantin.menu)
    "page.create": _l("Tạo trang"),
    "page.edit": _l("Sửa trang"),
    "page.publish": _l("Đăng trang"),
    "page.delete": _l("Chuyển trang vào thùng rác"),
    "page.restore": _l("Khôi phục trang từ thùng rác"),
    "page.revision_restore": _l("Khôi phục phiên bản cũ của trang"),
    "menu.update": _l("Sửa menu"),
    # Organisation and contacts (bantin.contacts)
    "contact_unit.create": _l("Thêm đơn vị"),
    "contact_unit.update": _l("Sửa đơn vị"),
    "contact_unit.delete": _l("Xóa đơn vị"),
    "contact_unit.move": _l("Đổi thứ tự đơn vị"),
    "contact.create": _l("Thêm người trong danh bạ"),
    "contact.update": _l("Sửa người trong danh bạ"),
    "contact.delete": _l("Xóa người trong danh bạ"),
    "contact.move": _l("Đổi thứ tự trong danh bạ"),
    # The work schedule (bantin.schedule)
    "schedule.create": _l("Thêm mục lịch công tác"),
    "schedule.update": _l("Sửa mục lịch công tác"),
    "schedule.delete": _l("Xóa mục lịch công tác"),
    "schedule.copy": _l("Chép lịch định kỳ tuần trước"),
    "schedule.publish": _l("Công bố lịch công tác tuần"),
    # Site
    "settings.update": _l("Sửa cài đặt trang"),
    "category.create": _l("Thêm chuyên mục"),
    "category.update": _l("Sửa chuyên mục"),
    "category.move": _l("Đổi thứ tự chuyên mục"),
    "category.delete": _l("Xóa chuyên mục"),
    "link.create": _l("Thêm liên kết web"),
    "link.update": _l("Sửa liên kết web"),
    "link.delete": _l("Xóa liên kết web"),
    # Users
    "user.create": _l("Thêm người dùng"),
    "user.update": _l("Sửa người dùng"),
    "user.disable": _l("Khóa tài khoản"),
    "user.enable": _l("Mở khóa tài khoản"),
    "user.reset_password": _l("Đặt lại mật khẩu"),
    "user.password_change": _l("Tự đổi mật khẩu"),
    "user.password_change_failure": _l("Đổi mật khẩu thất bại"),
    "user.profile": _l("Sửa hồ sơ"),
    # Mail and accounts (bantin.mail, blueprints/auth/reset.py)
    "user.invite": _l("Gửi lời mời đặt mật khẩu"),
    "password_reset.request": _l("Yêu cầu đặt lại mật khẩu"),
    "password_reset.done": _l("Đặt mật khẩu qua liên kết"),
    "mail.retry": _l("Gửi lại thư bị lỗi"),
    # Two-factor sign-in (bantin.two_factor)
    "login.password_ok": _l("Đúng mật khẩu, chờ mã xác thực hai bước"),
    "login.two_factor_failure": _l("Sai mã xác thực hai bước khi đăng nhập"),
    "login.recovery_code": _l("Đăng nhập bằng mã khôi phục"),
    "two_factor.enable": _l("Bật xác thực hai bước"),
    "two_factor.disable": _l("Tắt xác thực hai bước"),
    "two_factor.failure": _l("Xác nhận xác thực hai bước thất bại"),
    "two_factor.recovery_codes": _l("Tạo lại mã khôi phục"),
    "two_factor.reset": _l("Quản trị viên tắt xác thực hai bước của người dùng"),
}
# What an audit row is about (its target_type), as the audit log names it: singular nouns,
# in their own context so the menu's plural "Bài viết" ("Articles") does not apply.
TARGETS = {
    "article": lazy_pgettext("audit target", "Bài viết"),
    "comment": lazy_pgettext("audit target", "Ý kiến bạn đọc"),
    "media": lazy_pgettext("audit target", "Ảnh hoặc tệp"),
    "settings": lazy_pgettext("audit target", "Cài đặt trang"),
    "category": lazy_pgettext("audit target", "Chuyên mục"),
    "link": lazy_pgettext("audit target", "Liên kết web"),
    "user": lazy_pgettext("audit target", "Người dùng"),
    "document": lazy_pgettext("audit target", "Văn bản"),
    "document_term": lazy_pgettext("audit target", "Danh mục văn bản"),
    "page": lazy_pgettext("audit target", "Trang"),
    "menu": lazy_pgettext("audit target", "Menu"),
    "contact_unit": lazy_pgettext("audit target", "Đơn vị"),
    "contact": lazy_pgettext("audit target", "Người trong danh bạ"),
    "schedule": lazy_pgettext("audit target", "Mục lịch công tác"),
    "schedule_week": lazy_pgettext("audit target", "Lịch công tác tuần"),
    "mail": lazy_pgettext("audit target", "Thư điện tử"),
    "question": lazy_pgettext("audit target", "Câu hỏi của bạn đọc"),
}


def label(action: str) -> str:
    """The audit log's name for an action code (the code itself if it has none)."""
    found = ACTIONS.get(action)
    return str(found) if found is not None else action


def target_label(target_type: str) -> str:
    """The audit log's name for a target type (the type itself if it has none)."""
    found = TARGETS.get(target_type)
    return str(found) if found is not None else target_type


def _check_action(action: str) -> None:
    if action in ACTIONS:
        return
    message = f"audit action {action!r} is not in bantin.audit.ACTIONS: give it a label there"
    if has_app_context() and (current_app.testing or current_app.debug):
        raise ValueError(message)
    if has_app_context():
        current_app.logger.warning(message)


def _who(user: User | None, actor: str | None) -> tuple[User | None, str]:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    return user, actor if actor is not None else (user.email if user else "")


def record(
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    detail: str = "",
    user: User | None = None,
    actor: str | None = None,
) -> AuditLog:
    """Add an audit row to the session: who (user or the signed-in user), what, from where."""
    _check_action(action)
    user, actor = _who(user, actor)
    entry = AuditLog(
        user_id=user.id if user else None,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail[:DETAIL_MAX],
        ip=client_ip() if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


def repeat_key(action: str, actor: str, ip: str, detail: str, now: datetime) -> str:
    """The group a repeated event belongs to: same action, account, address and detail
    within the same REPEAT_WINDOW (fixed windows, so every worker computes the same key).
    The address counts as rate limits count it (an IPv6 /64 is one address)."""
    window = int((now - datetime(2000, 1, 1)) / REPEAT_WINDOW)
    raw = "\x1f".join((action, actor, rate_key(ip), detail, str(window)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def record_repeat(
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    detail: str = "",
    user: User | None = None,
    actor: str | None = None,
    per_actor: bool = True,
) -> None:
    """Count an event that may repeat: a new row for the first of its group in a window,
    else one more on that row. One upsert statement, so concurrent workers never lose a
    count or split a group; the caller commits.

    ``per_actor=False`` groups by address alone (the row keeps the first actor): for
    events whose actor the client chooses at will, such as the email typed while its
    address is locked out, which would otherwise make a row per email tried."""
    _check_action(action)
    user, actor = _who(user, actor)
    actor = actor[:254]
    detail = detail[:500]
    ip = client_ip()[:64] if has_request_context() else ""
    now = utcnow()
    values = {
        "user_id": user.id if user else None,
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "detail": detail,
        "ip": ip,
        "created_at": now,
        "last_at": now,
        "count": 1,
        "repeat_key": repeat_key(action, actor if per_actor else "", ip, detail, now),
    }
    # Both dialects spell the upsert the same way; only the import differs.
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = AuditLog.__table__
    stmt = insert(table).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.repeat_key],
        set_={"count": table.c.count + 1, "last_at": stmt.excluded.last_at},
    )
    db.session.execute(stmt)


def keep_days() -> int:
    """Days audit rows are kept (config AUDIT_KEEP_DAYS); 0 keeps them for ever."""
    value = DEFAULT_KEEP_DAYS
    if has_app_context():
        value = current_app.config.get("AUDIT_KEEP_DAYS", DEFAULT_KEEP_DAYS)
    days = int(value)
    if days < 0:
        raise ValueError("AUDIT_KEEP_DAYS must be 0 (keep for ever) or a number of days")
    return days


def purge(now: datetime | None = None) -> int:
    """Delete audit rows whose latest event is older than ``keep_days()``; returns how many.

    Deletes in short committed batches under the write lock, so a first purge of a large
    log never holds SQLite's write lock for long.
    """
    days = keep_days()
    if days == 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = (
        sa.select(AuditLog.id)
        .where(
            AuditLog.created_at < cutoff,
            sa.or_(AuditLog.last_at.is_(None), AuditLog.last_at < cutoff),
        )
        .limit(_PURGE_BATCH)
    )
    deleted = 0
    while True:
        with write_lock():
            ids = list(db.session.scalars(old))
            if ids:
                db.session.execute(
                    sa.delete(AuditLog)
                    .where(AuditLog.id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
            db.session.commit()
        deleted += len(ids)
        if len(ids) < _PURGE_BATCH:
            return deleted
