"""Readers' questions (Hỏi đáp): asking, the office's answers, the published list.

A reader asks with the comment form's fields and protections (the guard's honeypot, signed
form time and rate limit, the captcha, the moderation rules) plus a title and a field. A
question waits (pending) until an editor answers and publishes it; readers see published
questions only. The asker is mailed the answer once, when it is first published, if they
gave an email (in the language of the interface they asked in).

The rate limit is the comments' (guard.RATE_BUCKET): one client's posts, comments and
questions together, at most one per 15 seconds and ten an hour.

Readers' pages are cached per content version: every change readers can see (publishing,
unpublishing, an edit of a published question) moves it (``cache.bump``); a new pending
question does not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from bantin import audit, cache, captcha, guard, mail
from bantin.clock import utcnow
from bantin.comments import CAPTCHA_FAILED, IP_RETENTION, maybe_purge
from bantin.database import write_lock
from bantin.extensions import db
from bantin.mail.render import absolute_url
from bantin.models import DocumentTerm, Question, QuestionStatus, SiteSettings, TermKind, User
from bantin.official_documents import fold_words
from bantin.official_documents import terms as document_terms

log = logging.getLogger(__name__)

PER_PAGE = 20
EDITOR_PER_PAGE = 50
TITLE_MIN = 5
TITLE_MAX = 200
ANSWER_MAX = 10_000
QUERY_MAX = 200
# The value the guard's signed form time carries for the questions form (an article's id
# for a comment form): a comment form's token does not pass here, nor the reverse.
FORM_KEY = "questions"


def fields() -> list[DocumentTerm]:
    """The office's one list of "lĩnh vực" (the documents' field terms)."""
    return document_terms(TermKind.FIELD)


# ------------------------------------------------------------------ folding and matching


def folded_text(title: str, content: str, answer: str) -> str:
    """What the `folded` column holds: " <title words> <question words> <answer words> "."""
    return f" {fold_words(title)} {fold_words(content)} {fold_words(answer)} "


def refold(question: Question) -> None:
    question.folded = folded_text(question.title, question.content, question.answer or "")


def query_clause(q: str) -> sa.ColumnElement[bool] | None:
    """Every word of the query starts a word of the title, question or answer, marks and
    case ignored ("dat dai" finds "đất đai"). None when the query has no words."""
    words = fold_words(q).split()[:16]
    if not words:
        return None
    return sa.and_(*(Question.folded.like(f"% {word}%") for word in words))


# ------------------------------------------------------------------ asking


@dataclass(frozen=True)
class Ask:
    """A reader's question as the form parsed it (None: the form refused a field)."""

    ip: str
    honeypot: str
    form_time: str | None
    captcha_token: str
    captcha_answer: str | None  # None: nothing to check (the form says it is missing)
    values: dict | None  # title, name, address, email, content, field_id, language


@dataclass(frozen=True)
class Asked:
    accepted: bool
    question_id: int | None = None  # None when nothing was stored
    reasons: tuple[str, ...] = ()


def _duplicate(content: str, exclude_id: int | None = None) -> bool:
    stmt = sa.select(Question.id).where(
        Question.content == content, Question.created_at > utcnow() - guard.DUPLICATE_WINDOW
    )
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def ask(attempt: Ask, settings: SiteSettings) -> Asked:
    """A reader's question, from the guard to the commit (as ``comments.post`` does)."""
    ok, reason = guard.screen(
        honeypot=attempt.honeypot, ts=attempt.form_time, article_id=FORM_KEY, ip=attempt.ip
    )
    if not ok and reason == "honeypot":
        log.info("question honeypot hit from %s", attempt.ip)
        return Asked(True)
    values = attempt.values
    if ok and values is not None and guard.enabled() and _duplicate(values["content"]):
        ok, reason = False, "duplicate"
    if not ok:
        return Asked(False, reasons=(reason,))
    verdict = None
    if values is not None:
        verdict = guard.classify(
            settings,
            ip=attempt.ip,
            name=values["name"],
            address=values["address"],
            email=values["email"],
            content=f"{values['title']}\n{values['content']}",
        )
    with write_lock():
        solved = attempt.captcha_answer is None or captcha.verify(
            attempt.captcha_token, attempt.captcha_answer
        )
        if values is None or not solved:
            db.session.commit()  # a challenge spent on this post stays spent
            return Asked(False, reasons=() if solved else (CAPTCHA_FAILED,))
        question_id, reason = _store(values, attempt.ip, verdict)
    if question_id is None:
        return Asked(False, reasons=(reason,))
    maybe_purge()
    purge_ips()
    return Asked(True, question_id)


def purge_ips(now=None) -> int:
    """Forget askers' IPs after the comments' retention (90 days); commits."""
    now = now or utcnow()
    with write_lock():
        result = db.session.execute(
            sa.update(Question)
            .where(Question.ip.is_not(None), Question.created_at < now - IP_RETENTION)
            .values(ip=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return result.rowcount or 0


def _store(values: dict, ip: str, verdict) -> tuple[int | None, str]:
    """Insert and commit; with the guard on, the rate and duplicate checks look again
    under the write lock (two racing posts cannot both slip under the limit)."""
    status, reason = verdict if verdict and verdict[0] else (None, "")
    now = utcnow()
    question = Question(
        title=values["title"],
        name=values["name"],
        address=values["address"],
        email=values["email"],
        content=values["content"],
        field_id=values["field_id"],
        language=values["language"],
        status=QuestionStatus.SPAM if status == "spam" else QuestionStatus.PENDING,
        reason=(reason or "")[:100],
        ip=ip or None,
        created_at=now,
        updated_at=now,
    )
    refold(question)
    try:
        db.session.add(question)
        db.session.flush()
        if guard.enabled():
            hit = guard.record_rate_hit(ip)
            ok, why = guard.check_rate(ip, exclude_event=hit)
            if ok and _duplicate(question.content, exclude_id=question.id):
                ok, why = False, "duplicate"
            if not ok:
                guard.forget_rate_hit(hit)
                db.session.delete(question)
                db.session.commit()  # the spent challenge stays spent
                return None, why
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return question.id, reason or ""


# ------------------------------------------------------------------ readers' lists


def published() -> sa.Select:
    return sa.select(Question).where(Question.status == QuestionStatus.PUBLISHED)


def filtered(q: str = "", field_id: int | None = None) -> sa.Select:
    stmt = published()
    clause = query_clause(q) if q else None
    if clause is not None:
        stmt = stmt.where(clause)
    if field_id is not None:
        stmt = stmt.where(Question.field_id == field_id)
    return stmt


def count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def listing(stmt: sa.Select, page) -> list[Question]:
    """One page, grouped by field (the list's order; no field last), newest first in each."""
    ordered = (
        stmt.outerjoin(DocumentTerm, DocumentTerm.id == Question.field_id)
        .options(joinedload(Question.field))
        .order_by(
            sa.case((Question.field_id.is_(None), 1), else_=0),
            DocumentTerm.position,
            DocumentTerm.id,
            Question.published_at.desc(),
            Question.id.desc(),
        )
    )
    return list(db.session.scalars(page.rows(ordered)).unique())


def field_counts() -> dict[int | None, int]:
    """Published questions per field id (None: no field)."""
    rows = db.session.execute(
        sa.select(Question.field_id, sa.func.count())
        .where(Question.status == QuestionStatus.PUBLISHED)
        .group_by(Question.field_id)
    ).all()
    return {field_id: n for field_id, n in rows}


def get(question_id: int) -> Question | None:
    return db.session.scalar(
        sa.select(Question).where(Question.id == question_id).options(joinedload(Question.field))
    )


def sitemap_rows() -> list[tuple[int, object]]:
    """(id, last change) of every published question."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(Question.id, Question.updated_at)
            .where(Question.status == QuestionStatus.PUBLISHED)
            .order_by(Question.id)
        ).all()
    ]


# ------------------------------------------------------------------ the editor


def counts_by_status() -> dict[QuestionStatus, int]:
    rows = db.session.execute(
        sa.select(Question.status, sa.func.count()).group_by(Question.status)
    ).all()
    counts = dict.fromkeys(QuestionStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def pending_count() -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Question)
        .where(Question.status == QuestionStatus.PENDING)
    )
    return db.session.scalar(stmt) or 0


class CannotPublish(ValueError):
    """A question is published with an answer only."""


EDITABLE = ("title", "content", "field_id", "answer")


def save(question: Question, changes: dict, user: User | None, action: str = "save") -> bool:
    """Apply an editor's changes and ``action`` (save, publish, unpublish, reject); audited,
    committed. Returns whether anything changed. Publishing needs an answer; the first
    publication queues the answer to the asker (when they gave an email)."""
    was_public = question.status == QuestionStatus.PUBLISHED
    now = utcnow()
    old = {name: getattr(question, name) for name in EDITABLE}
    for name in EDITABLE:
        if name in changes:
            setattr(question, name, changes[name])
    changed = [name for name in EDITABLE if getattr(question, name) != old[name]]
    if "answer" in changed and question.answer:
        question.answered_by_id = user.id if user else None
        question.answered_at = now
    if action == "publish" and not (question.answer or "").strip():
        db.session.rollback()
        raise CannotPublish("a question is published with its answer")
    moved = None
    target = {
        "publish": QuestionStatus.PUBLISHED,
        "unpublish": QuestionStatus.PENDING,
        "reject": QuestionStatus.REJECTED,
    }.get(action)
    if target is not None and question.status != target:
        moved = f"{question.status.value} -> {target.value}"
        question.status = target
        if target == QuestionStatus.PUBLISHED:
            question.published_at = question.published_at or now
    if not changed and moved is None:
        return False
    question.updated_at = now
    if changed:
        refold(question)
        detail = "; ".join(
            f"{name}: {old[name] if old[name] is not None else ''}" for name in changed
        )
        audit.record("question.edit", "question", question.id, f"old {detail}", user)
    if moved and action == "publish":
        audit.record("question.publish", "question", question.id, moved, user)
    elif moved and action == "unpublish":
        audit.record("question.unpublish", "question", question.id, moved, user)
    elif moved:
        audit.record("question.reject", "question", question.id, moved, user)
    first_publication = question.status == QuestionStatus.PUBLISHED and not question.notified_at
    if first_publication and question.email and _notify(question):
        question.notified_at = now
    if was_public or question.status == QuestionStatus.PUBLISHED:
        cache.bump()  # readers see the change: cached pages go
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True


def link(question: Question) -> str:
    """The question's public address, for the answer's mail."""
    return absolute_url("public.question", question_id=question.id)


def _notify(question: Question) -> bool:
    """Queue the answer to the asker in their language; False when mail is off."""
    message = mail.queue(
        question.email,
        "question_answered",
        {
            "name": question.name,
            "title": question.title,
            "question": question.content,
            "answer": question.answer,
            "link": link(question),
        },
        language=question.language,
        name=question.name,
    )
    return message is not None
