"""The demo office's documents (văn bản of the fictional xã Hòa Phong), with small PDFs.

Written for Bantin: every number, name and abstract is invented. The PDFs are made here,
byte by byte (one page of text in a standard font), so no PDF library is needed.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import sqlalchemy as sa

from bantin import documents
from bantin import official_documents as service
from bantin.clock import local_today, utcnow
from bantin.extensions import db
from bantin.models import DocumentStatus, LegalStatus, OfficialDocument, TermKind
from bantin.text import slugify

TYPES = [
    ("Nghị quyết", "Resolution"),
    ("Quyết định", "Decision"),
    ("Chỉ thị", "Directive"),
    ("Kế hoạch", "Plan"),
    ("Thông báo", "Notice"),
    ("Công văn", "Official letter"),
    ("Báo cáo", "Report"),
]
ISSUERS = [
    ("HĐND xã Hòa Phong", "Hoa Phong Commune People's Council"),
    ("UBND xã Hòa Phong", "Hoa Phong Commune People's Committee"),
    ("Đảng ủy xã Hòa Phong", "Hoa Phong Commune Party Committee"),
    ("UBND huyện Thăng Bình Tây", "Thang Binh Tay District People's Committee"),
]
FIELDS = [
    ("Nông nghiệp - Nông thôn mới", "Agriculture and new rural development"),
    ("Đất đai - Xây dựng", "Land and construction"),
    ("Văn hóa - Xã hội", "Culture and society"),
    ("Giáo dục - Y tế", "Education and health"),
    ("Cải cách hành chính", "Administrative reform"),
    ("Tài chính - Ngân sách", "Finance and budget"),
    ("Quốc phòng - An ninh", "Defence and security"),
]

# key, type, issuer, field, number, days before today, signer, abstract, legal status
DOCUMENTS = [
    (
        "nq-ns-2026",
        "Nghị quyết",
        "HĐND xã Hòa Phong",
        "Tài chính - Ngân sách",
        "07/NQ-HĐND",
        12,
        "Lê Văn Thành",
        "Về dự toán thu, chi ngân sách xã Hòa Phong năm 2027",
        None,
    ),
    (
        "kh-lua-dong-xuan",
        "Kế hoạch",
        "UBND xã Hòa Phong",
        "Nông nghiệp - Nông thôn mới",
        "142/KH-UBND",
        20,
        "Nguyễn Thị Hồng",
        "Triển khai sản xuất vụ lúa Đông Xuân, chuyển đổi cây trồng trên đất lúa kém hiệu quả",
        None,
    ),
    (
        "tb-tiep-dan",
        "Thông báo",
        "UBND xã Hòa Phong",
        "Cải cách hành chính",
        "88/TB-UBND",
        34,
        "Trần Quốc Bảo",
        "Lịch tiếp công dân định kỳ của Chủ tịch UBND xã trong quý I",
        None,
    ),
    (
        "qd-quy-che-moi",
        "Quyết định",
        "UBND xã Hòa Phong",
        "Cải cách hành chính",
        "15/{year}/QĐ-UBND",
        300,
        "Trần Quốc Bảo",
        "Ban hành Quy chế tiếp nhận và trả kết quả thủ tục hành chính tại Bộ phận một cửa xã",
        None,
    ),
    (
        "qd-quy-che-cu",
        "Quyết định",
        "UBND xã Hòa Phong",
        "Cải cách hành chính",
        "09/{year}/QĐ-UBND",
        1000,
        "Phạm Văn Lộc",
        "Ban hành Quy chế hoạt động của Bộ phận tiếp nhận và trả kết quả xã Hòa Phong",
        "replaced:qd-quy-che-moi",
    ),
    (
        "ct-phong-chay",
        "Chỉ thị",
        "UBND huyện Thăng Bình Tây",
        "Quốc phòng - An ninh",
        "03/CT-UBND",
        60,
        "Võ Minh Khang",
        "Tăng cường công tác phòng cháy, chữa cháy rừng trong mùa khô",
        None,
    ),
    (
        "cv-dich-vu-cong",
        "Công văn",
        "UBND huyện Thăng Bình Tây",
        "Cải cách hành chính",
        "1256/UBND-VP",
        45,
        "Võ Minh Khang",
        "Đẩy mạnh tiếp nhận hồ sơ trực tuyến trên Cổng dịch vụ công",
        None,
    ),
    (
        "bc-kt-xh",
        "Báo cáo",
        "UBND xã Hòa Phong",
        "Tài chính - Ngân sách",
        "201/BC-UBND",
        150,
        "Nguyễn Thị Hồng",
        "Tình hình kinh tế - xã hội sáu tháng đầu năm và nhiệm vụ trọng tâm sáu tháng cuối năm",
        None,
    ),
    (
        "kh-tiem-chung",
        "Kế hoạch",
        "UBND xã Hòa Phong",
        "Giáo dục - Y tế",
        "76/KH-UBND",
        420,
        "Nguyễn Thị Hồng",
        "Tổ chức tiêm chủng mở rộng cho trẻ em dưới năm tuổi trên địa bàn xã",
        None,
    ),
    (
        "nq-dang-uy",
        "Nghị quyết",
        "Đảng ủy xã Hòa Phong",
        "Văn hóa - Xã hội",
        "12-NQ/ĐU",
        500,
        "Lê Văn Thành",
        "Về xây dựng thôn văn hóa, gia đình văn hóa giai đoạn 2025 - 2030",
        None,
    ),
    (
        "tb-mua-lu",
        "Thông báo",
        "UBND xã Hòa Phong",
        "Quốc phòng - An ninh",
        "64/TB-UBND",
        700,
        "Phạm Văn Lộc",
        "Phương án sơ tán dân ở vùng thấp trũng ven sông Ly Ly trong mùa mưa lũ",
        "expired",
    ),
    (
        "qd-dat-dai",
        "Quyết định",
        "UBND xã Hòa Phong",
        "Đất đai - Xây dựng",
        "231/QĐ-UBND",
        90,
        "Trần Quốc Bảo",
        "Phê duyệt phương án sử dụng quỹ đất công ích để làm sân thể thao thôn Phú Lộc",
        None,
    ),
]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.encode("ascii", "ignore").decode("ascii")


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(lines: list[str]) -> bytes:
    """A small valid PDF 1.4: one A4 page with these lines in Helvetica (ASCII only)."""
    text = ["BT", "/F1 13 Tf", "72 770 Td", "18 TL"]
    for line in lines:
        text.append(f"{_pdf_string(_ascii(line)[:90])} Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _term(kind: TermKind, name: str, name_en: str):
    term = service.term_by_name(kind, name)
    if term is None:
        term = service.create_term(kind, name, name_en, user=None)
        term.name_en = name_en
    return term


def seed() -> int:
    """Add the demo documents when the site has none (else nothing); returns how many."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(OfficialDocument)):
        return 0
    terms = {}
    for kind, names in (
        (TermKind.TYPE, TYPES),
        (TermKind.ISSUER, ISSUERS),
        (TermKind.FIELD, FIELDS),
    ):
        for name, name_en in names:
            terms[(kind, name)] = _term(kind, name, name_en)
    today = local_today()
    now = utcnow()
    made: dict[str, OfficialDocument] = {}
    stored = []
    try:
        # The replacing document first, so the replaced one can name it.
        ordered = sorted(DOCUMENTS, key=lambda row: (row[8] or "").startswith("replaced"))
        for key, type_name, issuer, field, number, days, signer, abstract, legal in ordered:
            issued = today - timedelta(days=days)
            number = number.format(year=issued.year)
            lines = [
                issuer.upper(),
                f"So: {number}",
                f"Hoa Phong, ngay {issued:%d} thang {issued:%m} nam {issued:%Y}",
                "",
                type_name.upper(),
                abstract,
                "",
                "Van ban mau cua trang thong tin dien tu xa Hoa Phong (noi dung minh hoa).",
                f"Nguoi ky: {signer}",
            ]
            slug = slugify(number)
            item = documents.store_document(make_pdf(lines), f"{slug}.pdf", None)
            stored.append(item)
            changes = {
                "number": number,
                "abstract": abstract,
                "type_id": terms[(TermKind.TYPE, type_name)].id,
                "issuer_id": terms[(TermKind.ISSUER, issuer)].id,
                "field_id": terms[(TermKind.FIELD, field)].id,
                "issued_on": issued,
                "effective_on": issued + timedelta(days=10) if type_name == "Quyết định" else None,
                "signer": signer,
                "status": DocumentStatus.PUBLISHED.value,
                "file_ids": [item.id],
            }
            if legal == "expired":
                changes["legal_status"] = LegalStatus.EXPIRED.value
            elif legal and legal.startswith("replaced:"):
                changes["replaced_by_id"] = made[legal.partition(":")[2]].id
            doc = service.save(None, None, changes, actor="seed-demo")
            doc.published_at = min(now, now - timedelta(days=days) + timedelta(hours=9))
            made[key] = doc
        db.session.flush()
    except Exception:
        for item in stored:
            documents.delete_file(item)
        raise
    return len(made)
