"""Email for the office: an outbox written in the caller's transaction (never lost, never
sent from a request), sent by `flask --app app mail send` on a systemd timer or by the
optional MAIL_WORKER thread, retried with back-off, failures shown to admins
(/editor/mail). With no MAIL_SERVER, mail is off and nothing is queued. docs/mail.md.

Other parts queue a message with ``mail.queue(to, template, context, language)``: the
template is ``templates/mail/<template>.<language>.txt`` (``vi`` and ``en``).
"""

from bantin.mail.outbox import enabled, queue, retry
from bantin.mail.sender import send_due

__all__ = ["enabled", "queue", "retry", "send_due"]
