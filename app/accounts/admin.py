"""Administration of accounts, organisations and memberships."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.accounts import services, verification
from app.accounts.forms import DecisionForm, OrganisationForm, UserAdminForm
from app.accounts.models import ROLE_LABELS, Membership, MembershipStatus, Organisation, User
from app.errors import DomainError
from app.extensions import db
from app.forms_common import save
from app.policy import require
from app.submissions import made

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/users")
@login_required
def users():
    require("admin.users")
    query = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    stmt = sa.select(User).options(selectinload(User.memberships).selectinload(Membership.organisation))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.email).like(like), sa.func.lower(User.display_name).like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    page = db.paginate(
        stmt.order_by(User.created_at.desc(), User.id.desc()), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    role_choices = [(r.value, label) for r, label in ROLE_LABELS.items()]
    return render_template("admin/users.html", page=page, query=query, role=role, role_choices=role_choices)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id: int):
    require("admin.users")
    user = _get_or_404(User, user_id)
    form = UserAdminForm(obj=user)
    update = lambda: services.update_user(current_user, user, form.role.data, form.active.data)  # noqa: E731
    if form.validate_on_submit() and save(form, update):
        flash(_("The account is saved."), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user.html", user=user, form=form, decision_form=DecisionForm())


@bp.route("/users/<int:user_id>/confirm-email", methods=["POST"])
@login_required
def user_confirm_email(user_id: int):
    """For someone whose confirmation mail does not arrive: the administrator confirms the address."""
    require("admin.users")
    user = _get_or_404(User, user_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    verification.mark_confirmed(user)
    db.session.commit()
    flash(_("The e-mail address is marked as confirmed."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/organisations")
@login_required
def organisations():
    require("admin.organisations")
    stmt = sa.select(Organisation).order_by(Organisation.name)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(Membership.organisation_id, sa.func.count())
            .where(
                Membership.status == MembershipStatus.APPROVED.value,
                Membership.organisation_id.in_([o.id for o in page.items]),
            )
            .group_by(Membership.organisation_id)
        ).all()
    )
    return render_template("admin/organisations.html", page=page, counts=counts)


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def organisation_new():
    require("admin.organisations")
    form = OrganisationForm()
    if form.validate_on_submit():
        saved = save(
            form,
            lambda: services.create_organisation(
                form.name.data, form.kind.data, form.sectors.data, form.description.data or "", form.verified.data
            ),
            then=made("organisation", lambda org: url_for("admin.organisation_detail", organisation_id=org.id)),
        )
        if saved:
            flash(_("The organisation is added."), "success")
            return redirect(url_for("admin.organisation_detail", organisation_id=saved.value.id))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def organisation_detail(organisation_id: int):
    require("admin.organisations")
    organisation = _get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.sectors.data = [s.value for s in organisation.sectors]
    if form.validate_on_submit() and save(
        form,
        lambda: services.update_organisation(
            organisation,
            form.name.data,
            form.kind.data,
            form.sectors.data,
            form.description.data or "",
            form.verified.data,
        ),
    ):
        flash(_("The organisation is saved."), "success")
        return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))
    members = db.session.scalars(
        sa.select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .options(selectinload(Membership.user))
        .order_by(Membership.requested_at)
    ).all()
    return render_template(
        "admin/organisation_form.html",
        form=form,
        organisation=organisation,
        members=members,
        decision_form=DecisionForm(),
    )


@bp.route("/memberships")
@login_required
def memberships():
    require("membership.decide")
    status = request.args.get("status") or MembershipStatus.PENDING.value
    if status not in {s.value for s in MembershipStatus}:
        status = MembershipStatus.PENDING.value
    stmt = (
        sa.select(Membership)
        .join(User, User.id == Membership.user_id)
        # a request waits until its account confirmed its address: nobody decides on a stranger's typing
        .where(Membership.status == status, User.email_verified_at.is_not(None))
        .options(selectinload(Membership.user), selectinload(Membership.organisation))
        .order_by(Membership.requested_at, Membership.id)
    )
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/memberships.html", page=page, status=status, decision_form=DecisionForm())


@bp.route("/memberships/<int:membership_id>/decide", methods=["POST"])
@login_required
def membership_decide(membership_id: int):
    require("membership.decide")
    membership = _get_or_404(Membership, membership_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    services.decide_membership(current_user, membership, decision == "approve")
    db.session.commit()
    if decision == "approve":
        flash(
            _("%(name)s now represents %(org)s.", name=membership.user.display_name, org=membership.organisation.name),
            "success",
        )
    else:
        flash(_("The request of %(name)s is not approved.", name=membership.user.display_name), "success")
    return redirect(
        (
            request.form.get("back") == "organisation"
            and url_for("admin.organisation_detail", organisation_id=membership.organisation_id)
        )
        or url_for("admin.memberships")
    )


@bp.route("/memberships/<int:membership_id>/signatory", methods=["POST"])
@login_required
def membership_signatory(membership_id: int):
    require("membership.set_signatory")
    membership = _get_or_404(Membership, membership_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        services.set_signatory(membership, request.form.get("signatory") == "1")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("admin.organisation_detail", organisation_id=membership.organisation_id))
