"""The language a mail is written in: its recipient's (users.language, the language they last chose on the
site), never the language of whoever's request happens to cause the mail.

A moderator reading the site in English who hides a Dutch resident's reaction, someone asking for a password
reset for an account, a worker writing a notification at night: each mail to a known person is written with
`in_language_of(person)` around every translated string of its subject and body. The footer that the outbox
adds (app/mail/message.py) follows the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale


def language_of(user) -> str:
    """The person's language when the site has it, else the site's default (Dutch)."""
    language = getattr(user, "language", None)
    if language in current_app.config["LANGUAGES"]:
        return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def in_language_of(user) -> Iterator[str]:
    """Translate in this person's language inside the block (inside or outside a request)."""
    language = language_of(user)
    with force_locale(language):
        yield language
