"""Account pages. Thin: parse the form, ask the policy, call a service, render."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services
from app.accounts.forms import (
    ChangePasswordForm,
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
from app.security import external_url, safe_next

bp = Blueprint("accounts", __name__)


def _organisation_choices(blank_label: str):
    return options([("", blank_label), *services.organisation_choices()])


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _limit(config_key: str):
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"])


def _email_key() -> str:
    """Rate-limit key per account tried, so spreading over addresses does not help an attacker."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@_limit("RATELIMIT_REGISTER")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    form.organisation_id.choices = _organisation_choices(_("Choose your organisation"))
    if form.validate_on_submit():
        data = services.Registration(
            email=form.email.data,
            display_name=form.display_name.data,
            password=form.password.data,
            role=form.role.data,
            organisation_id=_int_or_none(form.organisation_id.data),
            new_organisation=form.new_organisation.data or "",
            new_organisation_kind=form.new_organisation_kind.data or "",
            accepted_privacy=form.accept_privacy.data,
        )
        saved = save(form, lambda: services.register(data), then=sign_in)
        if saved:
            if saved.value.has_role(Role.PARTNER):
                flash(
                    _(
                        "Welcome! Your account is ready. The neighbourhood director will check that you represent "
                        "your organisation; we will show it here when that is done."
                    ),
                    "success",
                )
            else:
                flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    methods=["POST"],
    key_func=_email_key,
    deduct_when=lambda response: response.status_code != 302,  # only failed attempts count
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            # The same words whether or not the account exists.
            form.form_errors.append(_("The e-mail address or password is not correct."))
        else:
            sign_in(user)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sign_out()
        db.session.commit()
        flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET"], methods=["POST"], key_func=_email_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: external_url("accounts.reset_password", token=token)
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
        ):
            flash(_("Your request has been sent to the neighbourhood director."), "success")
            return redirect(url_for("accounts.organisations"))
    return render_template("accounts/organisations.html", form=form)
