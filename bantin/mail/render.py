"""Message building: the text of a message in its language, the HTML made from that text,
and the MIME message (email.message.EmailMessage, policy SMTP).

Each message is one template per language, ``templates/mail/<name>.<language>.txt``, with a
``subject`` block and a ``body`` block. The HTML part is made from the text, paragraph by
paragraph (a line that is only a link becomes a link), inside ``templates/mail/layout.html.jinja``:
both parts always say the same thing, and whole-message templates read better to a
translator than sentences cut into catalogue entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urljoin

from flask import current_app, has_request_context, url_for
from markupsafe import Markup, escape

LANGUAGES = ("vi", "en")
_LINK_LINE = re.compile(r"^https?://\S+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def absolute_url(endpoint: str, **values) -> str:
    """A link for a message: MAIL_SITE_URL when set (always in production: a request's Host
    header must not choose where a link points), else the request's own address."""
    base = current_app.config.get("MAIL_SITE_URL")
    if base:
        # Outside a request (the timer, the worker) the URL map builds the path itself.
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return urljoin(base.rstrip("/") + "/", path.lstrip("/"))
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    raise RuntimeError("set MAIL_SITE_URL to build links outside a request")


def language_of(language: str | None) -> str:
    """A language we have templates for (Vietnamese unless English was asked)."""
    return language if language in LANGUAGES else "vi"


def render(template: str, context: dict, language: str) -> Rendered:
    """Subject, plain text and HTML of the message ``template`` in ``language``."""
    from bantin.models import SiteSettings

    language = language_of(language)
    env = current_app.jinja_env
    settings = SiteSettings.get()
    site_name = (settings.site_name_en if language == "en" else "") or settings.site_name
    values = {"site_name": site_name, "language": language, **context}
    tpl = env.get_template(f"mail/{template}.{language}.txt")
    ctx = tpl.new_context(values)
    subject = _SPACES.sub(" ", "".join(tpl.blocks["subject"](ctx))).strip()
    body = "".join(tpl.blocks["body"](tpl.new_context(values))).strip("\n")
    text = "\n".join(line.rstrip() for line in body.splitlines()) + "\n"
    html = env.get_template("mail/layout.html.jinja").render(
        subject=subject,
        site_name=site_name,
        language=language,
        paragraphs=_paragraphs(text),
    )
    return Rendered(subject[:300], text, html)


def _paragraphs(text: str) -> list[Markup]:
    """The text's paragraphs as HTML: escaped, lines kept, a lone link made a link."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if len(lines) == 1 and _LINK_LINE.match(lines[0]):
            url = escape(lines[0])
            out.append(Markup('<p class="link"><a href="{0}">{0}</a></p>').format(url))
        else:
            out.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(map(escape, lines))))
    return out


def sender() -> Address:
    """The From address: MAIL_DEFAULT_SENDER ("Name <address>" or an address; the site's
    name when it gives none), else MAIL_USERNAME when that is an address."""
    from bantin.models import SiteSettings

    raw = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    name, addr = parseaddr(raw)
    if not addr or "@" not in addr:
        username = current_app.config.get("MAIL_USERNAME") or ""
        addr = username if "@" in username else "bantin@localhost"
    return Address(display_name=name or SiteSettings.get().site_name, addr_spec=addr)


def sender_domain() -> str:
    return sender().domain or "localhost"


def build(message, from_: Address) -> EmailMessage:
    """The MIME message of an outbox row: text and HTML alternatives, UTF-8, RFC 2047
    headers (policy SMTP encodes Vietnamese subjects and names as encoded words)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = message.subject
    msg["From"] = from_
    msg["To"] = Address(display_name=message.to_name or "", addr_spec=message.to_addr)
    msg["Date"] = format_datetime(_aware(message.created_at))
    msg["Message-ID"] = message.message_id
    # Replies and out-of-office answers should not loop back (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(message.body_text, cte="quoted-printable")
    msg.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    # After the parts: setting the content replaces every Content-* header.
    msg["Content-Language"] = message.language
    return msg


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
