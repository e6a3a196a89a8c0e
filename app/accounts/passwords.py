"""Password rules: long enough, not common, not made of the person's own details."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

# Words zxcvbn's English lists miss but that people here reach for first.
LOCAL_WORDS = ("wachtwoord", "welkom", "zoetermeer", "buytenwegh", "gemeente", "bewoner", "geheim", "voetbal")

# A real hash of a random string, checked when an account does not exist so the
# answer takes as long as for an account that does.
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-the-same-cost")


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is not good enough, or None when it is."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)d characters.", n=minimum)
    if len(password) > 200:
        return _("Use at most 200 characters.")
    own = [w for w in re.split(r"[\s@._+-]+", f"{email} {name}".lower()) if len(w) >= 3]
    lowered = password.lower()
    if any(w in lowered for w in own if len(w) >= 4):
        return _("Do not use your name or e-mail address in your password.")
    result = zxcvbn(password[:100], user_inputs=[*own, *LOCAL_WORDS])
    if result["score"] < 3:
        return _("This password is too common or too easy to guess. Tip: use three or four random words.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
