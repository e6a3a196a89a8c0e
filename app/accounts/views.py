"""Account pages. Thin: parse the form, ask the policy, call a service, render."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import registration, services, throttle, verification
from app.accounts.forms import (
    ChangePasswordForm,
    DecisionForm,
    EmailLinkForm,
    ForgotPasswordForm,
    LoginForm,
    MembershipRequestForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.models import Role
from app.accounts.sessions import sign_in, sign_out
from app.errors import DomainError
from app.extensions import db, limiter
from app.forms_common import options, save
from app.policy import require
from app.request_args import to_int
from app.security import safe_next
from app.submissions import made
from app.urls import absolute_url

bp = Blueprint("accounts", __name__)


def _organisation_choices(blank_label: str):
    return options([("", blank_label), *services.organisation_choices()])


def _int_or_none(value) -> int | None:
    return to_int(str(value)) if value else None


def _limit(config_key: str):
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"])


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    form.organisation_id.choices = _organisation_choices(_("Choose your organisation"))
    if request.method == "GET":
        form.next.data = verification.clean_next(request.args.get("next"))
    if form.validate_on_submit():
        data = registration.Registration(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            role=form.role.data,
            organisation_id=_int_or_none(form.organisation_id.data),
            new_organisation=form.new_organisation.data or "",
            new_organisation_kind=form.new_organisation_kind.data or "",
            accepted_privacy=form.accept_privacy.data,
        )
        next_path = verification.clean_next(form.next.data)
        if save(form, lambda: registration.register(data, next_path)):
            # The same page whether or not the address had an account: the mail tells the difference.
            return _check_mail(form.email.data, next_path)
    return render_template("accounts/register.html", form=form)


def _check_mail(email: str, next_path: str, resent: bool = False):
    email = (email or "").strip()
    return render_template(
        "accounts/check_mail.html", email=email, link_email=email, next_path=next_path, resent=resent
    )


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        email, next_path = form.email.data, verification.clean_next(form.next.data)
        device = throttle.current_device()
        refusal = throttle.login_refusal(email, device)
        if refusal:  # too many wrong passwords: this one is not checked at all
            throttle.warn_owner(email)
            db.session.commit()
            return render_template(
                "accounts/login_paused.html", reason=refusal, link_email=email.strip(), next_path=next_path
            ), 429
        user = services.authenticate(email, form.password.data)
        if user is None:
            if throttle.record_failed_login(email, device):
                throttle.warn_owner(email)
                db.session.commit()
            # The same words whether or not the account exists.
            form.form_errors.append(_("The e-mail address or password is not correct."))
        elif not user.email_verified:
            # Only someone who knows the password learns that the account waits for confirmation.
            return render_template(
                "accounts/login.html", form=form, unconfirmed=True, link_email=user.email, next_path=next_path
            )
        else:
            sign_in(user)
            throttle.trust_this_browser(user.email)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form)


# --- links by mail: confirming the address, logging in ------------------------------------------


def _link_problem(message: str, again_endpoint: str):
    return render_template("accounts/reset_invalid.html", message=message, again_url=url_for(again_endpoint)), 400


def _sign_in_from_link(user) -> None:
    sign_in(user)
    throttle.trust_this_browser(user.email)
    db.session.commit()


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def confirm_email(token: str):
    """The link in the confirmation mail: one button confirms the address and logs the person in."""
    try:
        target = verification.read_confirm_token(token)
    except DomainError as error:
        return _link_problem(error.message, "accounts.resend_confirmation")
    if target.user.email_verified:
        if current_user.is_authenticated and current_user.id == target.user.id:  # the button, pressed twice
            return redirect(safe_next(target.next_path))
        return render_template("accounts/confirmed_already.html", next_path=target.next_path)
    form = DecisionForm()
    if form.validate_on_submit():
        verification.mark_confirmed(target.user)
        _sign_in_from_link(target.user)
        if target.user.has_role(Role.PARTNER):
            flash(
                _(
                    "Welcome! Your account is ready. The neighbourhood director will check that you represent "
                    "your organisation; we will show it here when that is done."
                ),
                "success",
            )
        else:
            flash(_("Welcome! Your account is ready."), "success")
        return redirect(safe_next(target.next_path))
    return render_template("accounts/confirm.html", user=target.user, form=form)


@bp.route("/register/resend", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")  # per client; per address only the mails are limited
def resend_confirmation():
    form = EmailLinkForm()
    if request.method == "GET":
        form.email.data = (request.args.get("email") or "")[:254]
        form.next.data = verification.clean_next(request.args.get("next"))
    if form.validate_on_submit():
        verification.resend_confirmation(form.email.data, form.next.data)
        db.session.commit()
        return _check_mail(form.email.data, verification.clean_next(form.next.data), resent=True)
    return render_template("accounts/resend.html", form=form)


@bp.route("/login/link", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")  # per client; per address only the mails are limited
def request_login_link():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = EmailLinkForm()
    if request.method == "GET":
        form.next.data = verification.clean_next(request.args.get("next"))
    if form.validate_on_submit():
        verification.send_login_link(form.email.data, form.next.data)
        db.session.commit()
        return render_template("accounts/login_link_sent.html", email=form.email.data.strip())
    return render_template("accounts/login_link.html", form=form)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def login_with_link(token: str):
    """The link in a login mail: one button logs the person in, once."""
    try:
        target = verification.read_login_link(token)
    except DomainError as error:
        return _link_problem(error.message, "accounts.request_login_link")
    form = DecisionForm()
    if form.validate_on_submit():
        _sign_in_from_link(target.user)
        return redirect(safe_next(target.next_path))
    return render_template("accounts/login_with_link.html", user=target.user, form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sign_out()
        db.session.commit()
        flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")  # per client; per address only the mails are limited, so nobody is locked out
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: absolute_url("accounts.reset_password", token=token)
        )
        db.session.commit()
        return render_template("accounts/forgot_sent.html")
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        services.user_for_reset_token(token)
    except DomainError as error:
        return render_template("accounts/reset_invalid.html", message=error.message), 400
    reset = lambda: services.reset_password(token, form.password.data)  # noqa: E731
    if form.validate_on_submit() and save(form, reset, then=lambda _user: sign_out()):
        flash(_("Your password has been changed. Log in with your new password."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    require("account.manage")
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit() and save(
        form, lambda: services.update_profile(current_user, form.display_name.data, form.show_name_publicly.data)
    ):
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_SIGN"],
    methods=["POST"],
    key_func=lambda: f"password-check:{current_user.get_id() or request.remote_addr}",
    deduct_when=lambda response: response.status_code != 302,  # failed attempts, of this person only
)
@login_required
def change_password():
    require("account.manage")
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # then: a new session for this browser; all others have ended
        if save(
            form,
            lambda: services.change_password(user, form.current_password.data, form.new_password.data),
            then=lambda _none: sign_in(user),
        ):
            flash(_("Your password has been changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/account/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    require("membership.request")
    form = MembershipRequestForm()
    form.organisation_id.choices = _organisation_choices(_("Choose an organisation"))
    if form.validate_on_submit():
        organisation_id = _int_or_none(form.organisation_id.data)
        if save(
            form,
            lambda: services.request_membership(
                current_user,
                services.organisation_from_choice(
                    organisation_id, form.new_organisation.data, form.new_organisation_kind.data
                ),
            ),
            then=made("membership", lambda _membership: url_for("accounts.organisations")),
        ):
            flash(_("Your request has been sent to the neighbourhood director."), "success")
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/organisations.html", form=form)
