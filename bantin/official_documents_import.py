"""`flask --app app documents import CSV FILES_DIR`: an office's archive of documents.

A dry run by default: every row is checked (number, type, dates, files, duplicates) and a
report says which rows would be imported and which are refused, and why. With `--apply`
the accepted rows are imported in one transaction, their files stored through the normal
attachment path (bantin.documents: the same content checks as an upload); if anything fails
the transaction is rolled back and the files already copied are removed: nothing is ever
half-imported. The CSV columns are documented in docs/documents-import.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import force_locale

from bantin import audit, documents
from bantin import official_documents as service
from bantin.extensions import db
from bantin.models import DocumentStatus, LegalStatus, Media, OfficialDocument, TermKind
from bantin.text import clean_line, nfc

REQUIRED = ("number", "type", "issued_on", "abstract")
OPTIONAL = (
    "issuer",
    "field",
    "effective_on",
    "signer",
    "files",
    "legal_status",
    "status",
    "replaced_by",
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# Keys are folded words (bantin.official_documents.fold_words): "Còn hiệu lực", "in_force"…
LEGAL = {
    "": LegalStatus.IN_FORCE,
    "in force": LegalStatus.IN_FORCE,
    "con hieu luc": LegalStatus.IN_FORCE,
    "expired": LegalStatus.EXPIRED,
    "het hieu luc": LegalStatus.EXPIRED,
    "replaced": LegalStatus.REPLACED,  # needs replaced_by
    "duoc thay the": LegalStatus.REPLACED,
}
STATUS = {
    "": DocumentStatus.PUBLISHED,
    "published": DocumentStatus.PUBLISHED,
    "da dang": DocumentStatus.PUBLISHED,
    "dang": DocumentStatus.PUBLISHED,
    "draft": DocumentStatus.DRAFT,
    "nhap": DocumentStatus.DRAFT,
    "ban nhap": DocumentStatus.DRAFT,
}
MAX_ROWS = 100_000


class ImportFailed(Exception):
    """The CSV as a whole cannot be read (no header, a missing column, not UTF-8)."""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    issued_on: date | None = None
    effective_on: date | None = None
    legal_status: LegalStatus = LegalStatus.IN_FORCE
    status: DocumentStatus = DocumentStatus.PUBLISHED
    files: list[tuple[str, bytes]] = field(default_factory=list)
    # The replacing document: ("site", id) for one already on the site, ("row", line) for
    # another row of this CSV.
    replaced_by: tuple[str, int] | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    new_terms: dict[TermKind, list[str]] = field(default_factory=dict)
    applied: bool = False
    imported: int = 0

    @property
    def accepted(self) -> list[Row]:
        return [r for r in self.rows if not r.problems]

    @property
    def refused(self) -> list[Row]:
        return [r for r in self.rows if r.problems]

    def text(self) -> str:
        lines = []
        if self.applied:
            lines.append(f"Imported {self.imported} document(s).")
        else:
            lines.append("Dry run: nothing was changed. Run again with --apply to import.")
        lines.append(
            f"Rows read: {len(self.rows)}; accepted: {len(self.accepted)}; "
            f"refused: {len(self.refused)}."
        )
        labels = {TermKind.TYPE: "types", TermKind.ISSUER: "issuers", TermKind.FIELD: "fields"}
        for kind, names in self.new_terms.items():
            if names:
                verb = "Created" if self.applied else "Would create"
                lines.append(f"{verb} new {labels[kind]}: " + ", ".join(names))
        for row in self.refused:
            number = row.values.get("number") or "-"
            for problem in row.problems:
                lines.append(f"Row {row.line} ({number}): refused: {problem}")
        return "\n".join(lines)


def _date(raw: str) -> date:
    raw = raw.strip()
    for pattern in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
        if service.MIN_YEAR <= value.year <= service.MAX_YEAR:
            return value
    raise ValueError(raw)


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed("the CSV is not UTF-8 text (save it as CSV UTF-8)") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise ImportFailed("the CSV is empty") from exc
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed("missing column(s): " + ", ".join(missing))
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFailed(f"more than {MAX_ROWS} rows: split the file")
        line = reader.line_num
        padded = values + [""] * (len(header) - len(values))
        rows.append((line, {h: nfc(v).strip() for h, v in zip(header, padded, strict=False)}))
    return header, rows


def _file_names(raw: str) -> list[str]:
    return [name.strip() for name in raw.replace("|", ";").split(";") if name.strip()]


def check(csv_path: Path, files_dir: Path) -> Report:
    """Read and check every row; nothing is written."""
    _header, raw_rows = read_csv(csv_path.read_bytes())
    report = Report()
    known = {
        kind: {service.fold_words(t.name): t for t in service.terms(kind)} for kind in TermKind
    }
    new_terms: dict[TermKind, dict[str, str]] = {kind: {} for kind in TermKind}
    seen: dict[tuple[str, str], int] = {}
    root = files_dir.resolve()
    limit = documents.max_bytes()
    for line, values in raw_rows:
        row = Row(line=line, values=values)
        report.rows.append(row)
        number = clean_line(values.get("number", ""))
        type_name = clean_line(values.get("type", ""))
        if not number:
            row.problems.append("missing number (số/ký hiệu)")
        elif len(number) > service.NUMBER_MAX:
            row.problems.append(f"number longer than {service.NUMBER_MAX} characters")
        if not type_name:
            row.problems.append("missing type (loại văn bản)")
        if not values.get("abstract", "").strip():
            row.problems.append("missing abstract (trích yếu)")
        elif len(values["abstract"]) > service.ABSTRACT_MAX:
            row.problems.append(f"abstract longer than {service.ABSTRACT_MAX} characters")
        for column, required in (("issued_on", True), ("effective_on", False)):
            raw = values.get(column, "")
            if not raw:
                if required:
                    row.problems.append("missing issue date (issued_on)")
                continue
            try:
                setattr(row, column, _date(raw))
            except ValueError:
                row.problems.append(f"bad date in {column}: {raw!r} (use dd/mm/yyyy)")
        if row.issued_on and row.effective_on and row.effective_on < row.issued_on:
            row.problems.append("effective_on is before issued_on")
        for column, table in (("legal_status", LEGAL), ("status", STATUS)):
            raw = service.fold_words(values.get(column, ""))
            if raw not in table:
                row.problems.append(f"unknown {column}: {values.get(column)!r}")
            else:
                setattr(row, column, table[raw])
        for column in ("issuer", "field", "signer"):
            if len(values.get(column, "")) > service.TERM_MAX:
                row.problems.append(f"{column} longer than {service.TERM_MAX} characters")
        # Duplicates: in the database, or earlier in this CSV.
        if number and type_name:
            key = (service.fold_words(type_name), service.fold_words(number))
            if key in seen:
                row.problems.append(f"duplicate number and type (same as row {seen[key]})")
            else:
                seen[key] = line
                term = known[TermKind.TYPE].get(key[0])
                if term is not None and service.find_duplicate(number, term.id) is not None:
                    row.problems.append("duplicate number and type (already on the site)")
        for name in _file_names(values.get("files", "")):
            path = (root / name).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                row.problems.append(f"unknown file: {name}")
                continue
            if path.stat().st_size > limit:
                row.problems.append(
                    f"file refused: {name}: larger than {documents.limit_text(limit)}"
                )
                continue
            data = path.read_bytes()
            try:
                documents.check(data, path.name)
            except documents.DocumentError as exc:
                row.problems.append(f"file refused: {name}: {exc.message!s}")
                continue
            row.files.append((documents.clean_name(path.name), data))
        if not row.problems:
            for kind, column in (
                (TermKind.TYPE, "type"),
                (TermKind.ISSUER, "issuer"),
                (TermKind.FIELD, "field"),
            ):
                name = clean_line(values.get(column, ""))
                if name and service.fold_words(name) not in known[kind]:
                    new_terms[kind].setdefault(service.fold_words(name), name)
    _resolve_replacements(report)
    lines = {row.line: row for row in report.rows}
    changed = True
    while changed:  # a row replaced by a refused row cannot be imported either
        changed = False
        for row in report.rows:
            target = row.replaced_by
            if not row.problems and target and target[0] == "row" and lines[target[1]].problems:
                row.problems.append(f"its replacing document (row {target[1]}) is refused")
                changed = True
    for row in report.rows:
        if (
            row.legal_status == LegalStatus.REPLACED
            and row.replaced_by is None
            and not row.problems
        ):
            row.problems.append("legal_status is replaced but replaced_by names no document")
    report.new_terms = {kind: list(names.values()) for kind, names in new_terms.items()}
    return report


def _resolve_replacements(report: Report) -> None:
    """`replaced_by` names the replacing document by its number: a row of this CSV (accepted)
    or a document on the site; exactly one must carry that number."""
    by_number: dict[str, list[Row]] = {}
    for row in report.accepted:
        by_number.setdefault(service.fold_words(row.values.get("number", "")), []).append(row)
    for row in report.rows:
        raw = row.values.get("replaced_by", "")
        if not raw or row.problems:
            continue
        wanted = service.fold_words(raw)
        rows = [r for r in by_number.get(wanted, []) if r is not row]
        first = wanted.split(" ", 1)[0]
        on_site = [
            d
            for d in db.session.scalars(
                sa.select(OfficialDocument).where(OfficialDocument.folded.like(f"% {first} %"))
            )
            if service.fold_words(d.number) == wanted
        ]
        if not wanted:
            continue
        if wanted == service.fold_words(row.values.get("number", "")):
            row.problems.append("replaced_by names the document itself")
        elif len(rows) + len(on_site) == 0:
            row.problems.append(f"unknown replacing document: {raw}")
        elif len(rows) + len(on_site) > 1:
            row.problems.append(f"more than one document has the number {raw}: replaced_by")
        else:
            row.replaced_by = ("row", rows[0].line) if rows else ("site", on_site[0].id)
            row.legal_status = LegalStatus.REPLACED


def apply(report: Report, actor: str = "cli") -> None:
    """Import the accepted rows in one transaction; on any failure nothing stays."""
    stored: list[Media] = []
    try:
        terms: dict[TermKind, dict[str, int]] = {
            kind: {service.fold_words(t.name): t.id for t in service.terms(kind)}
            for kind in TermKind
        }
        for kind, names in report.new_terms.items():
            for name in names:
                term = service.create_term(kind, name)
                terms[kind][service.fold_words(name)] = term.id
        saved: dict[int, int] = {}  # CSV line -> document id
        replacements: list[tuple[OfficialDocument, tuple[str, int] | None]] = []
        for row in report.accepted:
            ids = []
            for name, data in row.files:
                item = documents.store_document(data, name, None)
                stored.append(item)
                ids.append(item.id)

            def term_id(kind: TermKind, column: str, values=row.values, terms=terms):
                name = values.get(column, "")
                return terms[kind][service.fold_words(name)] if name else None

            doc = service.save(
                None,
                None,
                {
                    "number": row.values["number"],
                    "abstract": row.values["abstract"],
                    "type_id": term_id(TermKind.TYPE, "type"),
                    "issuer_id": term_id(TermKind.ISSUER, "issuer"),
                    "field_id": term_id(TermKind.FIELD, "field"),
                    "issued_on": row.issued_on,
                    "effective_on": row.effective_on,
                    "signer": row.values.get("signer", ""),
                    # Linked below, once the replacing row exists too.
                    "legal_status": (
                        LegalStatus.IN_FORCE.value if row.replaced_by else row.legal_status.value
                    ),
                    "status": row.status.value,
                    "file_ids": ids,
                },
                actor=actor,
            )
            saved[row.line] = doc.id
            replacements.append((doc, row.replaced_by))
        for doc, target in replacements:
            if target is not None:
                new_id = saved[target[1]] if target[0] == "row" else target[1]
                service.save(doc, None, {"replaced_by_id": new_id}, actor=actor)
        audit.record(
            "document.import", "document", None, f"{len(report.accepted)} rows", actor=actor
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for item in stored:
            documents.delete_file(item)
        raise
    report.applied = True
    report.imported = len(report.accepted)


@click.group("documents")
def documents_cli() -> None:
    """Official documents (văn bản)."""


@documents_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("files_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--apply", "do_apply", is_flag=True, help="Import the accepted rows.")
@with_appcontext
def import_command(csv_file: Path, files_dir: Path, do_apply: bool) -> None:
    """Check (or with --apply import) documents from a CSV and a folder of their files."""
    # The attachment checks' reasons are Vietnamese sentences (lazy strings): there is no
    # request here to choose a language from.
    with force_locale("vi"):
        try:
            report = check(csv_file, files_dir)
        except ImportFailed as exc:
            raise click.ClickException(f"Cannot read {csv_file}: {exc}") from exc
        if do_apply and report.accepted:
            apply(report)
        elif do_apply:
            report.applied = True
        click.echo(report.text())
