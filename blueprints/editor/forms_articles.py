"""The article form: field names are part of CONTRACT.md."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import DateTimeLocalInput

from bantin.articles import PublishCheck, publish_check
from bantin.models import ArticleStatus
from bantin.sanitize import clean_html, is_upload_url
from bantin.text import has_control_chars

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
BODY_MAX_LENGTH = 1_000_000  # characters of HTML; images are links, so this is a lot of text


def site_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))


def utc_to_local_input(value: datetime | None) -> str:
    """Stored naive UTC -> the `YYYY-MM-DDTHH:MM` a datetime-local input shows."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(site_timezone()).strftime(LOCAL_FORMAT)


def local_input_to_utc(raw: str) -> datetime:
    """`YYYY-MM-DDTHH:MM` in the site's time zone -> naive UTC; ValueError when malformed."""
    raw = raw.strip()
    if len(raw) == len("YYYY-MM-DDTHH:MM:SS"):
        raw = raw[:16]  # some browsers add seconds
    local = datetime.strptime(raw, LOCAL_FORMAT)
    if local.year < 1900:
        raise ValueError("year out of range")
    return local.replace(tzinfo=site_timezone()).astimezone(UTC).replace(tzinfo=None)


class LocalDateTimeField(Field):
    """A datetime-local input in the site's time zone; `data` is naive UTC or None.

    The typed text is shown again as typed when the form is re-rendered, even if invalid.
    """

    widget = DateTimeLocalInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return utc_to_local_input(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = local_input_to_utc(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(
                _l("Ngày giờ không hợp lệ, hãy nhập theo dạng ngày/tháng/năm giờ:phút.")
            ) from exc


def _no_control_chars(form, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("Có ký tự không hợp lệ, hãy gõ lại."))


STATUS_CHOICES = [
    SelectChoice(ArticleStatus.DRAFT.value, _l("Bản nháp (chưa hiển thị)")),
    SelectChoice(ArticleStatus.PUBLISHED.value, _l("Đăng bài (hoặc hẹn giờ đăng)")),
]


def publish_problems(check: PublishCheck) -> list[str]:
    """Messages for a body that cannot be published yet, naming each undescribed image."""
    problems = []
    if check.empty:
        problems.append(_("Bài đăng cần có nội dung."))
    if check.images_without_alt:
        names = ", ".join(f"“{image.label}”" for image in check.images_without_alt)
        problems.append(
            _(
                "Ảnh %(names)s chưa có mô tả (văn bản thay thế). Hãy viết mô tả cho ảnh, "
                "hoặc đánh dấu là ảnh trang trí, rồi đăng bài.",
                names=names,
            )
        )
    return problems


class ArticleForm(FlaskForm):
    title = StringField(
        _l("Tiêu đề"),
        validators=[
            InputRequired(_l("Hãy nhập tiêu đề bài viết.")),
            Length(max=300, message=_l("Tiêu đề dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    slug = StringField(
        _l("Đường dẫn (slug)"),
        validators=[
            Optional(),
            Length(max=120, message=_l("Đường dẫn dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    category_id = SelectField(_l("Chuyên mục"), coerce=str, validate_choice=False)
    author_name = StringField(
        _l("Tác giả (bút danh)"),
        validators=[
            Length(max=120, message=_l("Tên tác giả dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    lead = TextAreaField(
        _l("Sa-pô (đoạn mở đầu)"),
        validators=[
            Length(max=2000, message=_l("Sa-pô dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    body = HiddenField(
        _l("Nội dung"),
        validators=[Length(max=BODY_MAX_LENGTH, message=_l("Nội dung quá dài."))],
    )
    cover_url = StringField(_l("Ảnh đại diện"), validators=[Optional(), Length(max=300)])
    status = RadioField(
        _l("Trạng thái"),
        choices=STATUS_CHOICES,
        default=ArticleStatus.DRAFT.value,
        validate_choice=False,
    )
    published_at = LocalDateTimeField(_l("Thời gian đăng"))
    featured = BooleanField(_l("Tin nổi bật (hiện ở đầu trang chủ)"))
    allow_comments = BooleanField(_l("Cho phép bạn đọc bình luận"), default=True)
    version = HiddenField()
    # "Gửi duyệt": the author's note for the reviewer (bantin.review).
    review_note = TextAreaField(
        _l("Ghi chú cho người duyệt (không bắt buộc)"),
        validators=[
            Length(max=1000, message=_l("Ghi chú dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )

    def __init__(self, *args, categories=(), in_review: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An article waiting for review keeps that status through an editor's save.
        self._statuses = {ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value}
        if in_review:
            self._statuses.add(ArticleStatus.REVIEW.value)
        self.category_id.choices = [SelectChoice("", _l("— Chọn chuyên mục —"))] + [
            SelectChoice(str(c.id), c.name) for c in categories
        ]
        self._category_ids = {str(c.id) for c in categories}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.status.data == ArticleStatus.PUBLISHED.value and not self.body.errors:
            problems = publish_problems(publish_check(clean_html(self.body.data)))
            if problems:
                self.body.errors = [*self.body.errors, *problems]
                ok = False
        return ok

    def validate_category_id(self, field) -> None:
        if field.data not in self._category_ids:
            raise ValidationError(_l("Hãy chọn một chuyên mục."))

    def validate_status(self, field) -> None:
        if field.data not in self._statuses:
            raise ValidationError(_l("Hãy chọn Bản nháp hoặc Đăng bài."))

    def validate_cover_url(self, field) -> None:
        if field.data and not is_upload_url(field.data):
            raise ValidationError(
                _l(
                    "Ảnh đại diện phải là ảnh đã tải lên trang này "
                    "(địa chỉ bắt đầu bằng /uploads/)."
                )
            )

    def validate_version(self, field) -> None:
        raw = field.data or ""
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise ValidationError(_l("Biểu mẫu không hợp lệ, hãy tải lại trang."))

    @property
    def category_value(self) -> int | None:
        value = self.category_id.data
        return int(value) if value in self._category_ids else None

    @property
    def version_value(self) -> int | None:
        raw = self.version.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class ReturnForm(FlaskForm):
    """ "Trả lại": the note tells the author what to change, so it is required."""

    note = TextAreaField(
        _l("Ghi chú cho tác giả"),
        validators=[
            InputRequired(_l("Hãy ghi rõ tác giả cần sửa gì trước khi trả lại bài.")),
            Length(max=1000, message=_l("Ghi chú dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
