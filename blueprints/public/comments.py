"""A reader's comment POST and the captcha's image, audio and refresh routes.

The comment POST parses the form and renders; ``bantin.comments.post`` decides (guard,
captcha, one write transaction). Before its write only reads run (the article's few columns,
the cached settings, the guard's checks when it is on).
"""

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from bantin import captcha, comments, queries, reader
from bantin.comment_form import CommentForm
from bantin.database import write_lock
from bantin.extensions import csrf, db
from bantin.models import Article, CommentStatus
from bantin.sidebar import site_layout
from bantin.web.net import client_ip, rate_key
from blueprints.public.blueprint import bp

MAX_ID = 2147483647  # ids are INTEGER: 32 bits on PostgreSQL
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_t = Article.__table__
_POST_ARTICLE = sa.select(
    _t.c.id, _t.c.slug, _t.c.status, _t.c.published_at, _t.c.allow_comments
).where(_t.c.id == sa.bindparam("id"))


def _article_or_404(article_id: int):
    """The few columns a comment POST needs (a full article is loaded only to re-render)."""
    art = db.session.execute(_POST_ARTICLE, {"id": article_id}).one_or_none()
    if art is None or not Article.is_visible(art):
        abort(404)
    return art


def _csrf_refusal() -> str | None:
    """CSRFProtect's own check, run in the view so that a refusal keeps the reader's text."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    try:
        csrf.protect()
    except CSRFError:
        return _(
            "Phiên gửi ý kiến đã hết hạn hoặc trang chưa kịp tải mã xác nhận. "
            "Nội dung của bạn vẫn còn: vui lòng nhập mã xác nhận mới rồi gửi lại."
        )
    return None


@bp.post(f"/article/<int(max={MAX_ID}):article_id>/comments")
@csrf.exempt  # checked in the view (_csrf_refusal), never skipped
def comment_post(article_id: int):
    """A reader's comment: stored as pending, approved or spam, or the form again (400).

    A post without a valid CSRF token (an expired session, or a page shared by nginx's
    cache sent before its script fetched the tokens, or without JavaScript) is refused like
    any other, but with the form again, the input kept and fresh tokens, instead of an
    error page that would lose the text.
    """
    art = _article_or_404(article_id)
    settings = site_layout().settings
    if not comments.comments_open(art, settings):
        abort(403)
    refusal = _csrf_refusal()
    form = CommentForm()
    form.validate()
    if refusal is not None:
        # The form renders a new token (made for this session as it was built).
        form.csrf_token.errors = []
        form.general_errors.append(refusal)
        return _form_again(art, form)
    attempt = form.attempt(
        ip=client_ip(),
        user_agent=request.headers.get("User-Agent", ""),
        commenter_ids=comments.commenter_ids(request),
    )
    outcome = comments.post(art, attempt, settings)
    if not outcome.accepted:
        form.add_reasons(outcome.reasons)
        return _form_again(art, form)
    if outcome.status == CommentStatus.APPROVED:
        flash(_("Ý kiến của bạn đã được đăng"), "comment")
    else:
        # Spam (and a honeypot hit) looks the same as pending to its sender.
        flash(_("Ý kiến của bạn đã được gửi và đang chờ duyệt"), "comment")
    back = url_for("public.article", article_id=art.id, slug=art.slug, _anchor="comments")
    response = redirect(back, 303)
    if outcome.comment_id is not None:
        # The proof a later comment needs to count as a returning commenter's (any status:
        # it is honoured only once a moderator has approved this comment).
        comments.remember_commenter(response, outcome.comment_id, attempt.submission.commenter_ids)
    return response


def _form_again(art, form: CommentForm) -> Response:
    """The article page again: messages by the fields, input kept, a fresh captcha."""
    full = queries.article_with_category(art.id)
    if full is None:  # deleted meanwhile
        abort(404)
    return reader.article_page(full, form=form.prepare(full), status=400, count_view=False)


@bp.get(f"/article/<int(max={MAX_ID}):article_id>/comment-tokens")
def comment_tokens(article_id: int):
    """The per-reader tokens a shared page's comment form lacks (JSON; writes nothing: the
    challenge is stored, and rate-limited, when its image is fetched)."""
    art = _article_or_404(article_id)
    if not comments.comments_open(art, site_layout().settings):
        abort(404)
    response = jsonify(CommentForm.tokens())
    response.headers.update(NO_STORE)
    return response


# ------------------------------------------------------------------ captcha


def _too_many() -> Response:
    return Response(
        _("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
        429,
        {**NO_STORE, "Retry-After": "600", "Content-Type": "text/plain; charset=utf-8"},
    )


def _gone() -> Response:
    """Unknown, used or expired challenge: the page offers "Đổi mã khác"."""
    return Response("", 404, NO_STORE)


def _challenge(bucket: str, token: str) -> str | Response:
    """The code to draw or speak, or the error response. The first fetch of a token stores
    its challenge (and the session's captcha binding), with the rate-limit hit, in one
    transaction; made-up or expired tokens are refused before anything is written."""
    if captcha.issued_at(token) is None:
        return _gone()
    with write_lock():
        if captcha.rate_limited(bucket, rate_key()):
            return _too_many()
        answer = captcha.activate(token)
        db.session.commit()
    return _gone() if answer is None else answer


@bp.get("/captcha/<token>.png")
def captcha_image(token: str):
    """The challenge drawn as a PNG."""
    answer = _challenge("captcha-image", token)
    if isinstance(answer, Response):
        return answer
    return Response(captcha.render_png(answer), 200, {**NO_STORE, "Content-Type": "image/png"})


@bp.get("/captcha/<token>.wav")
def captcha_audio(token: str):
    """The challenge read aloud (Vietnamese digits) as a WAV."""
    answer = _challenge("captcha-audio", token)
    if isinstance(answer, Response):
        return answer
    headers = {
        **NO_STORE,
        "Content-Type": "audio/wav",
        "Content-Disposition": 'inline; filename="ma-xac-nhan.wav"',
    }
    return Response(captcha.render_wav(answer), 200, headers)


def _wants_json() -> bool:
    """The page's script asks for JSON; a browser following the link prefers HTML."""
    if request.args.get("format") == "json":
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


@bp.get("/captcha/new")
def captcha_new():
    """A fresh challenge: JSON for the in-page refresh, else back to the article's form."""
    with write_lock():
        if captcha.rate_limited("captcha-new", rate_key()):
            return _too_many()
        db.session.commit()  # the rate-limit hit; the challenge is stored by its image
    if _wants_json():
        response = jsonify(CommentForm.tokens())
        response.headers.update(NO_STORE)
        return response
    raw = request.args.get("article", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return redirect(url_for("public.home"), 303)
    art = queries.article_with_category(int(raw))
    if art is None or not art.is_visible():
        return redirect(url_for("public.home"), 303)
    # The article page always carries a new challenge. The session cookie this sets keeps
    # nginx's shared copy (which carries none) away from this browser: without JavaScript
    # that copy's form could never get a challenge.
    captcha.bind_session()
    target = url_for("public.article", article_id=art.id, slug=art.slug, _anchor="comment-form")
    response = redirect(target, 303)
    response.headers.update(NO_STORE)
    return response
