"""Forms for site management: categories, web links, settings, users, profile, audit filter."""

import ipaddress
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from bantin.models import Role
from bantin.models.user import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from bantin.text import clean_line, has_control_chars, nfc, normalise_email
from bantin.web.headers import script_origin

REQUIRED = _l("Vui lòng điền mục này.")
ROLE_CHOICES = [
    SelectChoice(Role.CONTRIBUTOR.value, _l("Cộng tác viên (viết bài, gửi duyệt)")),
    SelectChoice(
        Role.EDITOR.value,
        _l("Biên tập viên (duyệt và đăng bài, bình luận, chuyên mục, văn bản, trang, lịch)"),
    ),
    SelectChoice(Role.ADMIN.value, _l("Quản trị viên (toàn quyền)")),
]


def _line(value):
    return clean_line(value) if isinstance(value, str) else value


def _text(value):
    """Multi-line text: NFC, Windows line ends folded, trailing blanks trimmed."""
    if not isinstance(value, str):
        return value
    return nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _max(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự."))


def no_control_chars(form, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("Có ký tự không hợp lệ."))


class WholeNumberField(IntegerField):
    """An IntegerField whose conversion error speaks Vietnamese."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        raw = str(valuelist[0]).strip()
        if not raw.lstrip("-").isdigit() or len(raw) > 9:
            self.data = None
            raise ValueError(_l("Vui lòng nhập một số nguyên."))
        self.data = int(raw)


class LocalDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày không hợp lệ (dạng năm-tháng-ngày).")) from exc


def lines(value: str | None) -> list[str]:
    """Non-empty lines, trimmed, duplicates dropped (first kept)."""
    seen: dict[str, None] = {}
    for line in (value or "").split("\n"):
        line = clean_line(line)
        if line:
            seen.setdefault(line, None)
    return list(seen)


# ------------------------------------------------------------------ categories


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Tên chuyên mục"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(120), no_control_chars],
    )
    slug = StringField(
        _l("Đường dẫn (slug)"),
        filters=[_line],
        validators=[Optional(), _max(140), no_control_chars],
    )
    description = TextAreaField(
        _l("Mô tả ngắn"), filters=[_text], validators=[_max(500), no_control_chars]
    )
    position = WholeNumberField(
        _l("Thứ tự"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10000, message=_l("Từ %(min)s đến %(max)s.")),
        ],
    )


# ------------------------------------------------------------------ web links


def http_url(form, field) -> None:
    value = field.data or ""
    parts = urlsplit(value)
    if any(ch.isspace() for ch in value) or has_control_chars(value) or "\\" in value:
        raise ValidationError(_l("Địa chỉ không được chứa khoảng trắng."))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            _l("Chỉ nhận địa chỉ bắt đầu bằng http:// hoặc https://, ví dụ https://chinhphu.vn")
        )


class WebLinkForm(FlaskForm):
    title = StringField(
        _l("Tên hiển thị"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(200), no_control_chars],
    )
    url = StringField(
        _l("Địa chỉ trang web"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(REQUIRED), _max(500), http_url],
    )
    position = WholeNumberField(
        _l("Thứ tự"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10000, message=_l("Từ %(min)s đến %(max)s.")),
        ],
    )
    visible = BooleanField(_l("Hiện trên trang"), default=True)


# ------------------------------------------------------------------ settings


LOGO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
# One path segment of an upload: the media service names files with letters, digits, - and _.
_UPLOAD_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def normalise_upload_path(value: str) -> str | None:
    """The one spelling of a plain path under /uploads/, or None.

    Percent-escapes are decoded first (browsers fold `%2e%2e` into `..` before they ask),
    then every segment must be a plain name: no `.`/`..`, empty segments, query or fragment.
    """
    if not value.startswith("/uploads/"):
        return None
    try:
        decoded = unquote(value, errors="strict")
    except UnicodeDecodeError:
        return None
    if "%" in decoded:  # encoded twice, or a stray percent sign
        return None
    parts = decoded.removeprefix("/uploads/").split("/")
    if not all(_UPLOAD_SEGMENT.fullmatch(part) for part in parts):
        return None
    return "/uploads/" + "/".join(parts)


def is_upload_image(path: str) -> bool:
    """A normalised /uploads/ path names an image file inside the upload folder (a link
    out of the folder does not count)."""
    if not path.lower().endswith(LOGO_EXTENSIONS):
        return False
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    target = folder.joinpath(*path.removeprefix("/uploads/").split("/")).resolve()
    return target.is_relative_to(folder) and target.is_file()


def upload_path(form, field) -> None:
    """A logo must be an existing image among this site's uploads; stored normalised."""
    value = field.data or ""
    if not value:
        return
    normalised = normalise_upload_path(value)
    if normalised is None:
        raise ValidationError(
            _l("Chỉ nhận ảnh đã tải lên trang này (đường dẫn bắt đầu bằng /uploads/).")
        )
    if not is_upload_image(normalised):
        raise ValidationError(
            _l(
                "Không tìm thấy ảnh này trong các tệp đã tải lên trang (JPEG, PNG, WebP, GIF); "
                "hãy chép đường dẫn từ Thư viện ảnh."
            )
        )
    field.data = normalised


def email_address(form, field) -> None:
    if not field.data:
        return
    try:
        field.data = normalise_email(field.data)
    except ValueError as exc:
        raise ValidationError(_l("Địa chỉ email không hợp lệ.")) from exc


def script_url(form, field) -> None:
    """The analytics script: a file on an https origin (its origin joins the CSP)."""
    if field.data and script_origin(field.data) is None:
        raise ValidationError(
            _l("Cần đường dẫn https đầy đủ tới tệp script, ví dụ https://theodoi.example.vn/t.js.")
        )


def keyword_lines(form, field) -> None:
    items = lines(field.data)
    if len(items) > 500:
        raise ValidationError(_l("Tối đa 500 dòng."))
    too_long = [i for i in items if len(i) > 100]
    if too_long:
        raise ValidationError(_l("Mỗi dòng tối đa 100 ký tự."))
    field.data = "\n".join(items)


def ip_lines(form, field) -> None:
    """One address or network per line; kept in canonical form."""
    items = lines(field.data)
    if len(items) > 1000:
        raise ValidationError(_l("Tối đa 1000 dòng."))
    canonical, bad = [], []
    for number, item in enumerate(items, start=1):
        try:
            if "/" in item:
                canonical.append(str(ipaddress.ip_network(item, strict=False)))
            else:
                canonical.append(str(ipaddress.ip_address(item)))
        except ValueError:
            bad.append(f"{number}: {item[:50]}")
    if bad:
        # str(): a lazy string counts as safe markup in Jinja, and this one holds user input.
        raise ValidationError(
            str(_l("Địa chỉ IP không hợp lệ ở dòng %(lines)s.", lines="; ".join(bad[:5])))
        )
    field.data = "\n".join(dict.fromkeys(canonical))


class SettingsForm(FlaskForm):
    site_name = StringField(
        _l("Tên trang"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(200), no_control_chars],
    )
    tagline = StringField(
        _l("Khẩu hiệu (dòng dưới tên trang)"),
        filters=[_line],
        validators=[_max(300), no_control_chars],
    )
    logo_url = StringField(
        _l("Đường dẫn logo"), filters=[_line], validators=[_max(300), upload_path]
    )
    logo_file = FileField(_l("Hoặc tải logo mới lên (JPEG, PNG, WebP)"))
    remove_logo = BooleanField(_l("Bỏ logo"))
    owner = StringField(
        _l("Đơn vị sở hữu (dòng bản quyền)"),
        filters=[_line],
        validators=[_max(200), no_control_chars],
    )
    managing_body = StringField(
        _l("Cơ quan quản lý"), filters=[_line], validators=[_max(300), no_control_chars]
    )
    address = StringField(_l("Địa chỉ"), filters=[_line], validators=[_max(300), no_control_chars])
    phone = StringField(_l("Điện thoại"), filters=[_line], validators=[_max(100), no_control_chars])
    email = EmailField(_l("Email liên hệ"), filters=[_line], validators=[_max(254), email_address])
    fax = StringField(_l("Fax"), filters=[_line], validators=[_max(100), no_control_chars])
    hotline = StringField(
        _l("Đường dây nóng"), filters=[_line], validators=[_max(100), no_control_chars]
    )
    site_name_en = StringField(
        _l("Tên trang bằng tiếng Anh"),
        filters=[_line],
        validators=[_max(200), no_control_chars],
    )
    owner_en = StringField(
        _l("Tên đơn vị bằng tiếng Anh"),
        filters=[_line],
        validators=[_max(200), no_control_chars],
    )
    address_en = StringField(
        _l("Địa chỉ bằng tiếng Anh"),
        filters=[_line],
        validators=[_max(300), no_control_chars],
    )
    analytics_script_url = StringField(
        _l("Script theo dõi truy cập (đường dẫn https)"),
        filters=[_line],
        validators=[_max(500), no_control_chars, script_url],
    )
    schedule_note = StringField(
        _l("Ghi chú đầu lịch công tác"),
        filters=[_line],
        validators=[_max(300), no_control_chars],
    )
    credit_line = StringField(
        _l("Dòng ghi công (ví dụ: Phát triển bởi …)"),
        filters=[_line],
        validators=[_max(300), no_control_chars],
    )
    articles_per_page = WholeNumberField(
        _l("Số bài mỗi trang"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=100, message=_l("Từ %(min)s đến %(max)s.")),
        ],
    )
    comments_require_approval = BooleanField(_l("Bình luận phải được duyệt trước khi hiện"))
    comments_auto_approve_returning = BooleanField(
        _l("Tự động duyệt bạn đọc gửi lại từ trình duyệt đã có bình luận được duyệt")
    )
    comments_close_after_days = WholeNumberField(
        _l("Đóng bình luận sau số ngày (0 = không bao giờ)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=3650, message=_l("Từ %(min)s đến %(max)s.")),
        ],
    )
    moderation_keywords = TextAreaField(
        _l("Từ khóa cần duyệt (mỗi dòng một từ)"),
        filters=[_text],
        validators=[no_control_chars, keyword_lines],
    )
    blocked_keywords = TextAreaField(
        _l("Từ khóa bị chặn (mỗi dòng một từ)"),
        filters=[_text],
        validators=[no_control_chars, keyword_lines],
    )
    blocked_ips = TextAreaField(
        _l("Địa chỉ IP bị chặn (mỗi dòng một địa chỉ)"),
        filters=[_text],
        validators=[no_control_chars, ip_lines],
    )
    two_factor_required_for_admins = BooleanField(
        _l("Bắt buộc quản trị viên dùng xác thực hai bước")
    )


# ------------------------------------------------------------------ users


def password_rules(optional: bool = False) -> list:
    rules = [
        Length(
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
            message=_l("Mật khẩu cần từ %(min)d đến %(max)d ký tự."),
        )
    ]
    return [Optional(), *rules] if optional else [DataRequired(REQUIRED), *rules]


class UserCreateForm(FlaskForm):
    email = EmailField(
        _l("Email đăng nhập"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(254), email_address],
    )
    name = StringField(
        _l("Họ và tên"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(120), no_control_chars],
    )
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES, default=Role.EDITOR.value)
    password = PasswordField(
        _l("Mật khẩu (để trống để tạo ngẫu nhiên)"),
        validators=password_rules(optional=True),
        render_kw={"autocomplete": "new-password"},
    )


class UserEditForm(FlaskForm):
    name = StringField(
        _l("Họ và tên"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(120), no_control_chars],
    )
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES)


CHOOSE_ONE = _l("Hãy chọn một mục trong danh sách.")
# The language of the messages mailed to a user (each language named in itself).
LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


def language_field(label) -> SelectField:
    return SelectField(
        label,
        choices=LANGUAGE_CHOICES,
        default="vi",
        validate_choice=False,
        validators=[AnyOf([c.value for c in LANGUAGE_CHOICES], message=CHOOSE_ONE)],
    )


DIGEST_CHOICES = [
    SelectChoice("daily", _l("Mỗi ngày một thư")),
    SelectChoice("hourly", _l("Mỗi giờ một thư")),
    SelectChoice("off", _l("Không gửi")),
]


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Họ và tên"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(120), no_control_chars],
    )
    language = language_field(_l("Ngôn ngữ của thư gửi bạn"))
    # Shown to those who moderate (bantin.mail.digest); kept as it was for the others.
    digest = SelectField(
        _l("Thư báo bình luận và câu hỏi chờ duyệt"),
        choices=DIGEST_CHOICES,
        default="daily",
        validate_choice=False,
        validators=[AnyOf([c.value for c in DIGEST_CHOICES], message=CHOOSE_ONE)],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=password_rules(),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_l("Hai mật khẩu không giống nhau.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


# ------------------------------------------------------------------ audit log


class AuditFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    action = StringField(_l("Loại thao tác (bắt đầu bằng)"), filters=[_line], validators=[_max(60)])
    actor = StringField(_l("Người thực hiện"), filters=[_line], validators=[_max(254)])
    date_from = LocalDateField(_l("Từ ngày"), validators=[Optional()])
    date_to = LocalDateField(_l("Đến ngày"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
