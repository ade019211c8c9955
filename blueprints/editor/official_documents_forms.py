"""The official document form and the term form (types, issuers, fields)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import DateInput

from bantin import official_documents as service
from bantin.models import DocumentStatus, DocumentTerm, LegalStatus, OfficialDocument
from bantin.text import has_control_chars


def _no_control_chars(form, field) -> None:
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("Có ký tự không hợp lệ, hãy gõ lại."))


class PlainDateField(Field):
    """An <input type=date>; `data` is a date or None. What was typed is shown again."""

    widget = DateInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        try:
            value = datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            value = None
        if value is None or not service.MIN_YEAR <= value.year <= service.MAX_YEAR:
            self.data = None
            raise ValueError(_l("Ngày không hợp lệ, hãy chọn ngày theo dạng ngày/tháng/năm."))
        self.data = value


class FileIdsField(Field):
    """The document's files: every `file_ids` value, in order (ids of the media library)."""

    widget = None

    def process_formdata(self, valuelist: list[str]) -> None:
        ids: list[int] = []
        for raw in valuelist[:200]:
            raw = raw.strip()
            if not raw:  # the library picker left on "— Chọn tệp —"
                continue
            if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
                self.data = ids
                raise ValueError(_l("Danh sách tệp không hợp lệ, hãy tải lại trang."))
            if int(raw) not in ids:
                ids.append(int(raw))
        self.data = ids

    def _value(self) -> str:
        return ""


STATUS_CHOICES = [
    SelectChoice(DocumentStatus.DRAFT.value, _l("Bản nháp (chưa hiển thị)")),
    SelectChoice(DocumentStatus.PUBLISHED.value, _l("Đăng văn bản")),
]
LEGAL_CHOICES = [
    SelectChoice(LegalStatus.IN_FORCE.value, _l("Còn hiệu lực")),
    SelectChoice(LegalStatus.EXPIRED.value, _l("Hết hiệu lực")),
    SelectChoice(LegalStatus.REPLACED.value, _l("Được thay thế bởi văn bản khác")),
]


def _term_choices(rows: list[DocumentTerm], empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [SelectChoice(str(t.id), t.name) for t in rows]


class DocumentForm(FlaskForm):
    number = StringField(
        _l("Số/Ký hiệu"),
        validators=[
            InputRequired(_l("Hãy nhập số/ký hiệu văn bản, ví dụ 15/2025/QĐ-UBND.")),
            Length(max=service.NUMBER_MAX, message=_l("Số/ký hiệu dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    type_id = SelectField(_l("Loại văn bản"), coerce=str, validate_choice=False)
    issuer_id = SelectField(_l("Cơ quan ban hành"), coerce=str, validate_choice=False)
    field_id = SelectField(_l("Lĩnh vực"), coerce=str, validate_choice=False)
    issued_on = PlainDateField(_l("Ngày ban hành"))
    effective_on = PlainDateField(_l("Ngày có hiệu lực"))
    signer = StringField(
        _l("Người ký"),
        validators=[
            Length(max=service.SIGNER_MAX, message=_l("Tên người ký dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    abstract = TextAreaField(
        _l("Trích yếu"),
        validators=[
            InputRequired(_l("Hãy nhập trích yếu (nội dung chính) của văn bản.")),
            Length(max=service.ABSTRACT_MAX, message=_l("Trích yếu dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    legal_status = SelectField(
        _l("Tình trạng hiệu lực"), choices=LEGAL_CHOICES, validate_choice=False
    )
    replaced_by_id = SelectField(_l("Văn bản thay thế"), coerce=str, validate_choice=False)
    status = RadioField(
        _l("Trạng thái"),
        choices=STATUS_CHOICES,
        default=DocumentStatus.DRAFT.value,
        validate_choice=False,
    )
    file_ids = FileIdsField(_l("Tệp văn bản"))
    version = HiddenField()

    def __init__(
        self,
        *args,
        terms=None,
        others: list[OfficialDocument] = (),
        document: OfficialDocument | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        terms = terms or {}
        from bantin.models import TermKind

        self._ids = {
            "type_id": {str(t.id) for t in terms.get(TermKind.TYPE, [])},
            "issuer_id": {str(t.id) for t in terms.get(TermKind.ISSUER, [])},
            "field_id": {str(t.id) for t in terms.get(TermKind.FIELD, [])},
            "replaced_by_id": {str(d.id) for d in others},
        }
        self.type_id.choices = _term_choices(
            terms.get(TermKind.TYPE, []), _l("— Chọn loại văn bản —")
        )
        self.issuer_id.choices = _term_choices(terms.get(TermKind.ISSUER, []), _l("— Không ghi —"))
        self.field_id.choices = _term_choices(terms.get(TermKind.FIELD, []), _l("— Không ghi —"))
        self.replaced_by_id.choices = [SelectChoice("", _l("— Không có —"))] + [
            SelectChoice(str(d.id), f"{d.number} – {d.abstract[:90]}") for d in others
        ]
        self._document = document

    def _choice(self, name: str) -> int | None:
        value = getattr(self, name).data or ""
        return int(value) if value in self._ids[name] else None

    def validate_type_id(self, field) -> None:
        if field.data not in self._ids["type_id"]:
            raise ValidationError(_l("Hãy chọn loại văn bản."))

    def validate_issuer_id(self, field) -> None:
        if field.data and field.data not in self._ids["issuer_id"]:
            raise ValidationError(_l("Hãy chọn cơ quan ban hành trong danh sách."))

    def validate_field_id(self, field) -> None:
        if field.data and field.data not in self._ids["field_id"]:
            raise ValidationError(_l("Hãy chọn lĩnh vực trong danh sách."))

    def validate_issued_on(self, field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(_l("Hãy nhập ngày ban hành."))

    def validate_effective_on(self, field) -> None:
        issued = self.issued_on.data
        if field.data is not None and issued is not None and field.data < issued:
            raise ValidationError(_l("Ngày có hiệu lực không thể trước ngày ban hành."))

    def validate_legal_status(self, field) -> None:
        if field.data not in {s.value for s in LegalStatus}:
            raise ValidationError(_l("Hãy chọn tình trạng hiệu lực."))

    def validate_replaced_by_id(self, field) -> None:
        if field.data and field.data not in self._ids["replaced_by_id"]:
            raise ValidationError(_l("Hãy chọn văn bản thay thế trong danh sách."))
        if self.legal_status.data == LegalStatus.REPLACED.value and not field.data:
            raise ValidationError(_l("Văn bản đã được thay thế: hãy chọn văn bản thay thế nó."))

    def validate_status(self, field) -> None:
        if field.data not in {DocumentStatus.DRAFT.value, DocumentStatus.PUBLISHED.value}:
            raise ValidationError(_l("Hãy chọn Bản nháp hoặc Đăng văn bản."))

    def validate_number(self, field) -> None:
        type_id = self._choice("type_id")
        if not field.data or type_id is None:
            return
        exclude = self._document.id if self._document is not None else None
        other = service.find_duplicate(field.data, type_id, exclude)
        if other is not None:
            raise ValidationError(
                _l(
                    "Đã có văn bản cùng loại mang số/ký hiệu này (văn bản #%(id)s: %(number)s).",
                    id=other.id,
                    number=other.number,
                )
            )

    def validate_version(self, field) -> None:
        raw = field.data or ""
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise ValidationError(_l("Biểu mẫu không hợp lệ, hãy tải lại trang."))

    @property
    def version_value(self) -> int | None:
        raw = self.version.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None

    def changes(self) -> dict:
        replaced_by = self._choice("replaced_by_id")
        legal = self.legal_status.data
        if legal != LegalStatus.REPLACED.value:
            replaced_by = None
        return {
            "number": self.number.data,
            "abstract": self.abstract.data,
            "type_id": self._choice("type_id"),
            "issuer_id": self._choice("issuer_id"),
            "field_id": self._choice("field_id"),
            "issued_on": self.issued_on.data,
            "effective_on": self.effective_on.data,
            "signer": self.signer.data,
            "legal_status": legal,
            "replaced_by_id": replaced_by,
            "status": self.status.data,
            "file_ids": list(self.file_ids.data or []),
        }


class TermForm(FlaskForm):
    name = StringField(
        _l("Tên"),
        validators=[
            InputRequired(_l("Hãy nhập tên.")),
            Length(max=service.TERM_MAX, message=_l("Tên dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
    name_en = StringField(
        _l("Tên tiếng Anh"),
        validators=[
            Length(max=service.TERM_MAX, message=_l("Tên dài tối đa %(max)d ký tự.")),
            _no_control_chars,
        ],
    )
