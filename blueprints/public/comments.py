"""A reader's comment POST and the captcha's image, audio and refresh routes."""

import logging

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from bantin import captcha, guard, queries
from bantin.comments import Submission, comments_open, submit
from bantin.models import CommentStatus, SiteSettings
from bantin.net import client_ip
from blueprints.public.blueprint import bp
from blueprints.public.forms import CommentForm
from blueprints.public.pages import render_article

log = logging.getLogger(__name__)
MAX_ID = 9223372036854775807
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _article_or_404(article_id: int):
    art = queries.article_with_category(article_id)
    if art is None or not art.is_visible():
        abort(404)
    return art


def _back_to(art) -> str:
    return url_for("public.article", article_id=art.id, slug=art.slug, _anchor="comments")


def _reject(art, form: CommentForm):
    """The article page again: 400, messages by the fields, input kept, a fresh captcha."""
    form.prepare(art)
    return render_article(art, form=form, status=400, count_view=False)


@bp.post(f"/article/<int(max={MAX_ID}):article_id>/comments")
def comment_post(article_id: int):
    """A reader's comment: guard, captcha, then stored as pending, approved or spam."""
    art = _article_or_404(article_id)
    settings = SiteSettings.get()
    if not comments_open(art, settings):
        abort(403)
    form = CommentForm()
    fields_ok = form.validate()
    ip = client_ip()

    ok, reason = guard.screen(honeypot=form.website.data, ts=form.ts.data, article_id=art.id, ip=ip)
    if not ok and reason == "honeypot":
        # Bots get the usual answer and learn nothing; nothing is stored.
        log.info("comment honeypot hit from %s on article %s", ip, art.id)
        flash(_("Ý kiến của bạn đã được gửi và đang chờ duyệt"), "comment")
        return redirect(_back_to(art), 303)
    if ok and not form.content.errors:
        ok, reason = guard.screen_content(art.id, form.content.data)
    if not ok:
        form.add_guard_error(reason)
        return _reject(art, form)

    # The captcha is checked (and used up) only once the guard let the post through.
    if form.captcha.data and not form.captcha.errors and not form.captcha.consume():
        form.captcha_failed()
        fields_ok = False
    if not fields_ok or form.has_errors:
        return _reject(art, form)

    sub = Submission(
        name=form.name.data,
        address=form.address.data or "",
        email=form.email_value,
        content=form.content.data,
        ip=ip,
        user_agent=request.headers.get("User-Agent", ""),
    )
    comment, reason = submit(art, sub, settings)
    if comment is None:
        form.add_guard_error(reason)
        return _reject(art, form)
    if comment.status == CommentStatus.APPROVED:
        flash(_("Ý kiến của bạn đã được đăng"), "comment")
    else:
        # Spam looks the same as pending to its sender.
        flash(_("Ý kiến của bạn đã được gửi và đang chờ duyệt"), "comment")
    return redirect(_back_to(art), 303)


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


@bp.get("/captcha/<token>.png")
def captcha_image(token: str):
    """The challenge drawn as a PNG."""
    if captcha.rate_limited("captcha-image", client_ip()):
        return _too_many()
    answer = captcha.answer_to_render(token)
    if answer is None:
        return _gone()
    return Response(captcha.render_png(answer), 200, {**NO_STORE, "Content-Type": "image/png"})


@bp.get("/captcha/<token>.wav")
def captcha_audio(token: str):
    """The challenge read aloud (Vietnamese digits) as a WAV."""
    if captcha.rate_limited("captcha-audio", client_ip()):
        return _too_many()
    answer = captcha.answer_to_render(token)
    if answer is None:
        return _gone()
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
    if captcha.rate_limited("captcha-new", client_ip()):
        return _too_many()
    if _wants_json():
        token = captcha.new_challenge()
        response = jsonify(
            token=token,
            image=url_for("public.captcha_image", token=token),
            audio=url_for("public.captcha_audio", token=token),
        )
        response.headers.update(NO_STORE)
        return response
    raw = request.args.get("article", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return redirect(url_for("public.home"), 303)
    art = queries.article_with_category(int(raw))
    if art is None or not art.is_visible():
        return redirect(url_for("public.home"), 303)
    # The article page always carries a new challenge.
    target = url_for("public.article", article_id=art.id, slug=art.slug, _anchor="comment-form")
    response = redirect(target, 303)
    response.headers.update(NO_STORE)
    return response
