"""The mails about an account: confirming the address, "you already have an account", login links and
the warning that someone is guessing the password.

Each is queued on the transaction (sent once it commits), links only to BASE_URL, and is written in the
account holder's language (users.language), not in that of the request that causes it. Mails that a
visitor can cause are counted against the address's budget (`throttle.mail_allowed`) by the caller.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _

from app.accounts.models import User
from app.mail import send_after_commit
from app.mail.language import in_language_of
from app.urls import absolute_url


def _login_link(next_path: str = "") -> str:
    return absolute_url("accounts.login", next=next_path or None)


def _days(seconds: int) -> int:
    return max(1, round(seconds / 86400))


def confirm_address(user: User, link: str) -> None:
    """For a new account: the link confirms the address and logs the person in."""
    with in_language_of(user):  # the account holder's language, whoever asked
        body = _(
            "Hello %(name)s,\n\n"
            "Welcome to the participation platform. To finish creating your account, confirm that this e-mail "
            "address is yours with this link (it works for %(days)d days):\n\n%(link)s\n\n"
            "After that you are logged in and can take part straight away.\n\n"
            "Did you not create an account? Then someone else typed your address. You can ignore this e-mail: "
            "without your confirmation nobody can use the account.",
            name=user.display_name,
            days=_days(current_app.config["EMAIL_VERIFY_MAX_AGE"]),
            link=link,
        )
        send_after_commit(user.email, _("Confirm your e-mail address"), body)


def still_waiting(user: User, link: str) -> None:
    """Someone registered again with an address whose account waits for confirmation. Nothing changed.

    The mail offers only to choose a password (`link` is a password reset link, which also confirms the
    address): the waiting account may have been made by someone else, who then knows its password.
    """
    with in_language_of(user):  # the account holder's language, whoever asked
        body = _(
            "Hello,\n\n"
            "Someone tried to create an account with this e-mail address. There already is an account for it that "
            'waits for confirmation: it was made on %(date)s with the name "%(name)s". Nothing has changed.\n\n'
            "Do you want to use this account? Then choose your password with this link (it works once, for "
            "%(minutes)d minutes). That also confirms your address, and only you can log in with it:\n\n%(link)s\n\n"
            "Did you not try to create an account? Then you can ignore this e-mail.",
            date=format_datetime(user.created_at, "d MMMM y"),
            name=user.display_name,
            minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            link=link,
        )
        send_after_commit(user.email, _("Confirm your e-mail address"), body)


def already_registered(user: User, next_path: str = "") -> None:
    """Someone registered with the address of an existing account. Nothing changed."""
    with in_language_of(user):  # the account holder's language, whoever asked
        body = _(
            "Hello %(name)s,\n\n"
            "Someone tried to create a new account on the participation platform with this e-mail address. "
            "You already have an account, so nothing has changed.\n\n"
            "Log in with your account:\n\n%(login)s\n\n"
            "Forgot your password? Choose a new one:\n\n%(forgot)s\n\n"
            "Did you not try this? Then you can ignore this e-mail.",
            name=user.display_name,
            login=_login_link(next_path),
            forgot=absolute_url("accounts.forgot_password"),
        )
        send_after_commit(user.email, _("You already have an account"), body)


def login_link(user: User, link: str) -> None:
    with in_language_of(user):  # the account holder's language, whoever asked
        minutes = current_app.config["LOGIN_LINK_MAX_AGE"] // 60
        body = _(
            "Hello %(name)s,\n\n"
            "You asked for a link to log in. It works once, for %(minutes)d minutes:\n\n%(link)s\n\n"
            "Did you not ask for this? Then someone else typed your address, and you can ignore this e-mail. "
            "If it keeps happening, choose a new password:\n\n%(forgot)s",
            name=user.display_name,
            minutes=minutes,
            link=link,
            forgot=absolute_url("accounts.forgot_password"),
        )
        send_after_commit(user.email, _("Your link to log in"), body)


def password_being_guessed(user: User) -> None:
    with in_language_of(user):  # the account holder's language, whoever asked
        body = _(
            "Hello %(name)s,\n\n"
            "Someone tried many times to log in to your account with a wrong password. Perhaps it was you. "
            "Perhaps someone is trying to guess your password.\n\n"
            "Your account is safe as long as your password is hard to guess. To be sure, choose a new password "
            "that you use nowhere else. Tip: three or four random words.\n\n%(forgot)s\n\n"
            "You can keep logging in as usual on a device where you logged in before. On another device we may "
            "ask you to log in with a link that we e-mail to you.\n\n"
            "We send this message at most once a day. Questions? Contact the neighbourhood director.",
            name=user.display_name,
            forgot=absolute_url("accounts.forgot_password"),
        )
        send_after_commit(user.email, _("Someone is trying to log in to your account"), body)
