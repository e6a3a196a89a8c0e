"""E-mail through an outbox: every mail the site sends is first a row (app/mail/models.py), written in the
transaction that causes it, and delivered after that transaction commits.

- app/mail/queueing.py: `queue_mail`, `send_mail`, `send_after_commit` (the callers' side).
- app/mail/sender.py: `deliver_due`, the worker's side: claims, retries with back-off, and why a mail that is
  sent twice (a worker killed between sending and recording) shows once.
- app/mail/message.py: headers (a stable Message-ID per row; RFC 8058 one-click unsubscribe) and the footer.
- app/mail/transport.py: SMTP when MAIL_SERVER is set, else the log (development) or memory (tests).
- app/mail/admin_views.py: /admin/mail, where the administrator sees failed mails and sends them again.
"""

from __future__ import annotations

from app.mail.queueing import (
    deliver_after_commit,
    queue_mail,
    register,
    send_after_commit,
    send_mail,
    set_composers,
)
from app.mail.sender import deliver_due
from app.mail.transport import Mail, backend, outbox

__all__ = [
    "Mail",
    "backend",
    "deliver_after_commit",
    "deliver_due",
    "outbox",
    "queue_mail",
    "register",
    "send_after_commit",
    "send_mail",
    "set_composers",
]
