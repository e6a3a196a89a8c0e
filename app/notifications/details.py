"""What a mail tells beyond a notification's one line.

The list in the site and the digests keep one short line per event (app/notifications/texts.py); a mail sent
at once for one event may say more, as the mails the site sent before the notifications did. `details(event,
reader)` gives those extra lines, in the current language (app/notifications/mails.py calls it inside
`force_locale` with the reader's language), with absolute links from BASE_URL.

- A covenant opened for signature, or a new version of it: the version's fingerprint, so that the reader
  can check on the signing page that they sign exactly that text, and the link to sign it. Only while that
  version is still the one open for signature: a mail sent after the text changed again names no stale
  fingerprint (the newer version has its own event and mail).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.covenants.models import CovenantStatus
from app.notifications.texts import to_int
from app.policy import can
from app.urls import absolute_url

COVENANT_TO_SIGN = ("covenant_opened", "covenant_new_version")


def details(event, reader) -> list[str]:
    """Extra lines for this event's mail to `reader` (a User); [] when the line says it all."""
    if event.kind in COVENANT_TO_SIGN:
        return _covenant_to_sign(event, reader)
    return []


def _covenant_to_sign(event, reader) -> list[str]:
    covenant = event.covenant
    fingerprint = str(event.data.get("fingerprint") or "")
    version = to_int(event.data.get("version"))
    if covenant is None or not fingerprint or not version:
        return []
    if covenant.current_version != version:
        return [_("This version is no longer the one to sign: the covenant changed since. Its page shows why.")]
    lines = [
        _("Fingerprint of version %(n)d: %(fingerprint)s", n=version, fingerprint=fingerprint),
        _("The page for signing shows the same fingerprint. So you know you sign exactly this text."),
    ]
    if covenant.status != CovenantStatus.OPEN.value:
        return lines  # back to writing, or already in force: no signing now (its own event says so)
    sign_url = absolute_url("covenants.sign", covenant_id=covenant.id)
    if reader is not None and can(reader, "covenant.sign", covenant):
        lines.append(_("Read it and sign it here: %(url)s", url=sign_url))
    else:
        lines.append(_("The signatories of the parties sign it here: %(url)s", url=sign_url))
    return lines
