"""`flask documents import CSV FILES_DIR`: dry run, report, apply, nothing half-imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from bantin import official_documents as service
from bantin.extensions import db
from bantin.models import (
    AuditLog,
    DocumentStatus,
    DocumentTerm,
    LegalStatus,
    Media,
    OfficialDocument,
    TermKind,
)
from bantin.official_documents_demo import make_pdf

SAMPLE = Path(__file__).parent / "fixtures" / "documents" / "import-sample.csv"


@pytest.fixture
def archive(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "archive"
    folder.mkdir()
    for name in ("15-2025-qd-ubnd.pdf", "142-kh-ubnd.pdf", "phu-luc-142.pdf"):
        (folder / name).write_bytes(make_pdf([name]))
    (folder / "gia-mao.pdf").write_bytes(b"MZ\x90\x00 this is not a PDF")
    csv_path = tmp_path / "import.csv"
    shutil.copy(SAMPLE, csv_path)
    return csv_path, folder


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def uploaded_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_dry_run_reports_and_changes_nothing(app, runner, archive):
    csv_path, folder = archive
    result = runner.invoke(args=["documents", "import", str(csv_path), str(folder)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Dry run: nothing was changed." in out
    assert "Rows read: 11; accepted: 5; refused: 6." in out
    assert "Row 5 (-): refused: missing number (số/ký hiệu)" in out
    assert "Row 6 (88/TB-UBND): refused: bad date in issued_on: '31/02/2025'" in out
    assert "Row 7 (89/TB-UBND): refused: unknown file: khong-co.pdf" in out
    assert "Row 8 (15/2025/qđ-ubnd): refused: duplicate number and type (same as row 2)" in out
    assert "Row 9 (90/TB-UBND): refused: file refused: gia-mao.pdf:" in out
    assert "Row 12 (10/2023/QĐ-UBND): refused: unknown replacing document: 99/2099/QĐ-UBND" in out
    assert "Would create new types: Quyết định, Kế hoạch, Thông báo, Nghị quyết" in out
    assert "Would create new issuers:" in out and "Đảng ủy xã Hòa Phong" in out
    assert count(OfficialDocument) == 0 and count(DocumentTerm) == 0 and count(Media) == 0
    assert uploaded_files(app) == []


def test_apply_imports_the_good_rows_only(app, runner, archive):
    csv_path, folder = archive
    result = runner.invoke(args=["documents", "import", str(csv_path), str(folder), "--apply"])
    assert result.exit_code == 0, result.output
    assert "Imported 5 document(s)." in result.output
    assert "Created new types:" in result.output
    docs = {d.number: d for d in db.session.scalars(sa.select(OfficialDocument))}
    assert sorted(docs) == [
        "09/2023/QĐ-UBND",
        "12-NQ/ĐU",
        "142/KH-UBND",
        "15/2025/QĐ-UBND",
        "64/TB-UBND",
    ]
    old = docs["09/2023/QĐ-UBND"]
    assert old.replaced_by_id == docs["15/2025/QĐ-UBND"].id
    assert old.legal_status == LegalStatus.REPLACED
    kh = docs["142/KH-UBND"]
    assert [f.media.original_name for f in kh.files] == ["142-kh-ubnd.pdf", "phu-luc-142.pdf"]
    assert kh.status == DocumentStatus.PUBLISHED
    assert kh.abstract.startswith("Triển khai sản xuất vụ lúa Đông Xuân, chuyển đổi")
    assert docs["64/TB-UBND"].legal_status == LegalStatus.EXPIRED
    assert docs["12-NQ/ĐU"].status == DocumentStatus.DRAFT
    qd = docs["15/2025/QĐ-UBND"]
    assert (qd.issued_on.isoformat(), qd.effective_on.isoformat()) == ("2025-03-15", "2025-03-25")
    assert qd.folded.startswith(" 15 2025 qd ubnd ")
    assert len(uploaded_files(app)) == 3
    assert "document.import" in db.session.scalars(sa.select(AuditLog.action)).all()
    # A second run finds them all on the site already.
    again = runner.invoke(args=["documents", "import", str(csv_path), str(folder)])
    assert "accepted: 0" in again.output
    assert "duplicate number and type (already on the site)" in again.output


def test_existing_terms_are_reused_ignoring_marks_and_case(app, runner, archive):
    service.create_term(TermKind.TYPE, "QUYẾT ĐỊNH")
    db.session.commit()
    csv_path, folder = archive
    result = runner.invoke(args=["documents", "import", str(csv_path), str(folder), "--apply"])
    assert "Created new types: Kế hoạch, Thông báo, Nghị quyết" in result.output
    assert len(service.terms(TermKind.TYPE)) == 4


def test_a_failure_during_apply_leaves_nothing(app, runner, archive, monkeypatch):
    csv_path, folder = archive
    calls = {"n": 0}
    real_save = service.save

    def failing_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(service, "save", failing_save)
    result = runner.invoke(args=["documents", "import", str(csv_path), str(folder), "--apply"])
    assert result.exit_code != 0
    assert count(OfficialDocument) == 0 and count(DocumentTerm) == 0 and count(Media) == 0
    assert uploaded_files(app) == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the CSV is empty"),
        (b"number,type\n1,A\n", "missing column(s): issued_on, abstract"),
        (b"number,type,issued_on,abstract\n1,Lo\xe0i,01/01/2025,Tr\xedch\n", "UTF-8"),
    ],
)
def test_unreadable_csv_is_an_error(app, runner, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["documents", "import", str(path), str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.output


def test_semicolon_csv_and_paths_outside_the_folder(app, runner, tmp_path):
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(make_pdf(["x"]))
    folder = tmp_path / "files"
    folder.mkdir()
    path = tmp_path / "semi.csv"
    path.write_text(
        "number;type;issued_on;abstract;files\n"
        "1/TB;Thông báo;01/02/2025;Một;../secret.pdf\n"
        "2/TB;Thông báo;2025-02-02;Hai;\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["documents", "import", str(path), str(folder)])
    assert "Row 2 (1/TB): refused: unknown file: ../secret.pdf" in result.output
    assert "accepted: 1" in result.output


def test_replaced_by_a_document_already_on_the_site(app, runner, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    first = tmp_path / "first.csv"
    first.write_text(
        "number,type,issued_on,abstract\n15/2025/QĐ-UBND,Quyết định,15/03/2025,Mới\n",
        encoding="utf-8",
    )
    runner.invoke(args=["documents", "import", str(first), str(folder), "--apply"])
    second = tmp_path / "second.csv"
    second.write_text(
        "number,type,issued_on,abstract,replaced_by,legal_status\n"
        "9/2023/QĐ-UBND,Quyết định,01/01/2023,Cũ,15/2025/qđ-ubnd,\n"
        "8/2023/QĐ-UBND,Quyết định,01/01/2023,Cũ hơn,,Được thay thế\n"
        "7/2023/QĐ-UBND,Quyết định,01/01/2023,Tự thay,7/2023/QĐ-UBND,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["documents", "import", str(second), str(folder), "--apply"])
    assert "Imported 1 document(s)." in result.output
    assert "Row 3 (8/2023/QĐ-UBND): refused: legal_status is replaced but replaced_by" in (
        result.output
    )
    assert "Row 4 (7/2023/QĐ-UBND): refused: replaced_by names the document itself" in (
        result.output
    )
    old = db.session.scalar(
        sa.select(OfficialDocument).where(OfficialDocument.number == "9/2023/QĐ-UBND")
    )
    new = db.session.scalar(
        sa.select(OfficialDocument).where(OfficialDocument.number == "15/2025/QĐ-UBND")
    )
    assert old.replaced_by_id == new.id and old.legal_status == LegalStatus.REPLACED


def test_sample_is_documented():
    doc = (Path(__file__).parents[1] / "docs" / "documents-import.md").read_text("utf-8")
    header = SAMPLE.read_text("utf-8").splitlines()[0].split(",")
    for column in header:
        assert f"`{column}`" in doc
