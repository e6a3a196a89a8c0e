"""Issue pages: the list, proposing (with similar issues first), the issue page and its actions."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.services import organisation_choices
from app.errors import DomainError, apply_to_form
from app.extensions import db, limiter
from app.forms_common import options, save
from app.issues import decisions, editing, services, voting
from app.issues import threads as thread_replies
from app.issues.forms import CommentForm, DecisionForm, EmptyForm, IssueForm, ReasonForm, ReportForm
from app.issues.models import ACTIVE, Comment, Issue, IssueRevision, IssueStatus
from app.issues.visibility import all_rows, get_including_hidden
from app.moderation import edits
from app.policy import can, require
from app.processes.views import process_or_404
from app.request_args import to_int
from app.security import safe_next
from app.submissions import again_response, made

bp = Blueprint("issues", __name__)


def _per_person(config_key: str):
    """A rate limit per signed-in person (by account, not address: a community centre shares one)."""
    return limiter.limit(
        lambda: current_app.config[config_key],
        methods=["POST"],
        key_func=lambda: f"user:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}",
    )


WAITING = _l(
    "Thank you! New accounts' first contributions are checked by the neighbourhood director. "
    "Others see yours once it is checked, usually within a working day."
)


def issue_or_404(issue_id: int, placeholder: bool = False) -> Issue:
    """The issue with this id, or a 404 page (the agenda pages use this too).

    A hidden issue, or one waiting for a check, is 404 for everyone but its author and the
    moderators; only its own page (`placeholder=True`) shows a placeholder with the reason.
    """
    issue = get_including_hidden(Issue, issue_id)  # then the checks below decide who sees it
    if issue is None:
        abort(404)
    if not placeholder and not issue.is_visible and not _may_see_hidden(issue):
        abort(404)
    return issue


def _may_see_hidden(issue: Issue) -> bool:
    if can(current_user, "moderation.act"):
        return True
    return current_user.is_authenticated and current_user.id == issue.author_id


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _issue_form(process, obj=None) -> IssueForm:
    form = IssueForm(obj=obj)
    form.organisations.choices = options(organisation_choices())
    if obj is not None and request.method == "GET":
        form.domains.data = [d.value for d in obj.domains]
        form.organisations.data = [row.organisation_id for row in obj.involved_rows]
    return form


def _data(form: IssueForm) -> services.IssueData:
    return services.IssueData(
        title=form.title.data or "",
        description=form.description.data or "",
        scale=form.scale.data or "",
        term=form.term.data or "",
        breadth=form.breadth.data or "",
        domains=form.domains.data or [],
        place=form.place.data or "",
        involve_others=form.involve_others.data or "",
        organisation_ids=[int(i) for i in form.organisations.data or []],
    )


# --- the list ----------------------------------------------------------------------------


@bp.route("/processes/<slug>/issues")
def index(slug: str):
    process = process_or_404(slug)
    args = request.args
    filters = services.IssueFilters(
        domain=args.get("domain", ""),
        scale=args.get("scale", ""),
        term=args.get("term", ""),
        breadth=args.get("breadth", ""),
        status=args.get("status", ""),
        place=args.get("place", ""),
        q=args.get("q", "")[:200],
        sort=args.get("sort", "newest") if args.get("sort") in services.SORTS else "newest",
    )
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = secrets.randbelow(2_000_000_000)
    page = db.paginate(
        services.list_query(process.id, filters, seed=session["shuffle_seed"]),
        per_page=current_app.config["ISSUE_PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    supported = voting.supported_ids(current_user, [i.id for i in page.items])
    query_args = {k: v for k, v in vars(filters).items() if v}
    return render_template(
        "issues/index.html",
        process=process,
        page=page,
        filters=filters,
        places=services.places(process.id),
        supported=supported,
        query_args=query_args,
        support_form=EmptyForm(),
    )


@bp.route("/processes/<slug>/issues/similar")
def similar(slug: str):
    """JSON for the title field: similar issues while typing (the form shows them without JavaScript too)."""
    process = process_or_404(slug)
    found = services.similar_issues(process.id, request.args.get("q", "")[:200])
    return jsonify(
        items=[
            {
                "id": i.id,
                "title": i.title,
                "url": url_for("issues.show", issue_id=i.id),
                "support_count": i.support_count,
            }
            for i in found
        ]
    )


# --- proposing ----------------------------------------------------------------------------


@bp.route("/processes/<slug>/issues/new", methods=["GET", "POST"])
@login_required
@_per_person("RATELIMIT_PROPOSE")
def new(slug: str):
    process = process_or_404(slug)
    require("issue.propose", process)
    form = _issue_form(process)
    similar_found = []
    if form.validate_on_submit():
        data = _data(form)
        try:
            services.validate(data)  # the same checks as publishing, before we show similar issues
        except DomainError as error:
            apply_to_form(form, error)
        else:
            sent_before = services.just_proposed(current_user, process, data)  # the form sent again
            if sent_before is not None:
                return again_response(url_for("issues.show", issue_id=sent_before.id))
            similar_found = services.similar_issues(process.id, f"{data.title} {data.description}")
            if form.step.data != "publish" and similar_found:
                form.step.data = "publish"  # the next press publishes
            else:
                saved = save(
                    form,
                    lambda: services.propose(current_user, process, data),
                    then=made("issue", lambda issue: url_for("issues.show", issue_id=issue.id)),
                )
                if saved and not saved.value.is_visible:
                    flash(str(WAITING), "success")
                    return redirect(url_for("issues.show", issue_id=saved.value.id))
                if saved:
                    flash(_("Your issue is published. Thank you!"), "success")
                    return redirect(url_for("issues.show", issue_id=saved.value.id))
    return render_template("issues/new.html", process=process, form=form, similar=similar_found)


@bp.route("/issues/<int:issue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.edit", issue)
    form = _issue_form(issue.process, obj=issue)
    held = edits.held(issue)
    if held is not None and request.method == "GET":
        _prefill(form, held.changes)  # the author goes on from the change that waits for a check
    if form.validate_on_submit():
        saved = save(form, lambda: editing.edit(current_user, issue, _data(form)))
        if saved and saved.value:
            flash(_("Your changes are saved. The earlier text stays visible in the history."), "success")
            return redirect(url_for("issues.show", issue_id=issue.id))
        if saved:
            flash(str(CHANGE_WAITS), "success")
            return redirect(url_for("issues.show", issue_id=issue.id))
    return render_template("issues/edit.html", issue=issue, form=form, held=held)


CHANGE_WAITS = _l(
    "Your change waits for a check by the neighbourhood director. Until then, others see the earlier text."
)


def _prefill(form: IssueForm, changes: dict) -> None:
    for key, value in changes.items():
        name = "organisations" if key == "organisation_ids" else key
        if name in form:
            form[name].data = value


# --- the issue page -------------------------------------------------------------------------


def _render_issue(issue: Issue, comment_form: CommentForm | None = None, decision_form=None, status: int = 200):
    per_page = thread_replies.THREADS_PER_PAGE
    # Hidden reactions keep their place as a placeholder; _comment.html shows their text only to
    # their author and the moderators (app/issues/visibility.py).
    with all_rows():
        threads = db.paginate(
            thread_replies.with_authors(
                sa.select(Comment).where(Comment.issue_id == issue.id, Comment.parent_id.is_(None))
            ).order_by(*thread_replies.ORDER),
            per_page=per_page,
            error_out=False,
        )
        # the first replies of each thread; the thread's own page has the rest (app/issues/threads.py)
        replies, reply_counts = thread_replies.first_replies([c.id for c in threads.items])
    signed_in = current_user.is_authenticated
    round_ = voting.get_round(issue.process_id)
    if decision_form is None and can(current_user, "issue.decide", issue):
        decision_form = _decision_form(issue)
    held_comments, held_issue = set(), None  # the signed-in author's changes that wait for a check
    if signed_in:
        shown_ids = [c.id for c in threads.items] + [r.id for answers in replies.values() for r in answers]
        held_comments = edits.held_comment_ids(shown_ids, current_user.id)
        held_issue = edits.held(issue) if issue.author_id == current_user.id else None
    return render_template(
        "issues/show.html",
        issue=issue,
        threads=threads,
        replies=replies,
        reply_counts=reply_counts,
        history=decisions.history(issue),
        revisions=db.session.scalars(
            sa.select(IssueRevision).where(IssueRevision.issue_id == issue.id).order_by(IssueRevision.replaced_at)
        ).all(),
        supported=signed_in and voting.has_supported(current_user, issue.id),
        following=signed_in and services.is_following(current_user, issue),
        comment_form=comment_form or CommentForm(),
        decision_form=decision_form,
        button_form=EmptyForm(),
        round=round_,
        my_points=voting.my_points(round_, current_user).get(issue.id, 0) if round_ else 0,
        involved=[row.organisation for row in issue.involved_rows],
        held_comments=held_comments,
        held_issue=held_issue,
    ), status


@bp.route("/issues/<int:issue_id>")
def show(issue_id: int):
    issue = issue_or_404(issue_id, placeholder=True)
    may_see = issue.is_visible or _may_see_hidden(issue)  # else: the placeholder, without its title
    if issue.status == IssueStatus.MERGED.value and issue.merged_into_id and may_see:
        flash(_("The issue '%(title)s' was merged into this one.", title=issue.title), "info")
        return redirect(url_for("issues.show", issue_id=issue.merged_into_id), code=301)
    return _render_issue(issue)


@bp.route("/issues/<int:issue_id>/support", methods=["POST"])
@login_required
def support(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.support", issue)
    wanted = {"add": True, "remove": False}.get(request.form.get("action", ""))
    try:
        supported, count = voting.set_support(current_user, issue, wanted)
    except DomainError as error:  # the issue closed (merged, declined) while the page was open
        db.session.rollback()
        if _wants_json():
            return jsonify(error=error.message), 409
        flash(error.message, "error")
        return redirect(url_for("issues.show", issue_id=issue.id))
    db.session.commit()
    if _wants_json():
        return jsonify(
            supported=supported, count=count, count_text=ngettext("%(num)d supporter", "%(num)d supporters", count)
        )
    flash(_("You support this issue.") if supported else _("You no longer support this issue."), "success")
    return redirect(safe_next(request.form.get("next"), "issues.show", issue_id=issue.id))


@bp.route("/issues/<int:issue_id>/comments", methods=["POST"])
@login_required
@_per_person("RATELIMIT_COMMENT")
def comment(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.comment", issue)
    form = CommentForm()
    parent_id = to_int(form.parent_id.data or "")
    saved = form.validate_on_submit() and save(
        form,
        lambda: services.add_comment(current_user, issue, form.body.data, form.stance.data, form.kind.data, parent_id),
        then=made("comment", thread_replies.url_of),
    )
    if saved:
        flash(_("Your reaction is placed.") if saved.value.is_visible else str(WAITING), "success")
        return redirect(thread_replies.url_of(saved.value))  # where it is shown, also in a long thread
    return _render_issue(issue, comment_form=form, status=400)


@bp.route("/issues/<int:issue_id>/follow", methods=["POST"])
@login_required
def follow(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.follow", issue)
    following = services.set_following(current_user, issue, request.form.get("action") != "unfollow")
    db.session.commit()
    flash(_("You follow this issue.") if following else _("You no longer follow this issue."), "success")
    return redirect(safe_next(request.form.get("next"), "issues.show", issue_id=issue.id))  # e.g. back to /mijn


def _report(target_type: str, target_id: int, issue: Issue, comment: Comment | None = None):
    require("issue.report", issue)
    form = ReportForm()
    if form.validate_on_submit() and save(
        form,
        lambda: services.report(current_user, target_type, target_id, form.reason.data),
        then=made("report", lambda _report: url_for("issues.show", issue_id=issue.id)),
    ):
        flash(_("Thank you. The neighbourhood director will look at it."), "success")
        return redirect(url_for("issues.show", issue_id=issue.id))
    # The page quotes what is reported, so the reporter sees they picked the right one.
    return render_template("issues/report.html", form=form, issue=issue, target_type=target_type, comment=comment)


@bp.route("/issues/<int:issue_id>/report", methods=["GET", "POST"])
@login_required
@_per_person("RATELIMIT_REPORT")
def report_issue(issue_id: int):
    issue = issue_or_404(issue_id)
    return _report("issue", issue.id, issue)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@_per_person("RATELIMIT_REPORT")
def report_comment(comment_id: int):
    comment_ = db.session.get(Comment, comment_id)
    if comment_ is None:
        abort(404)
    return _report("comment", comment_.id, issue_or_404(comment_.issue_id), comment_)


@bp.route("/issues/<int:issue_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.withdraw", issue)
    form = ReasonForm()
    if form.validate_on_submit() and save(
        form,
        lambda: decisions.withdraw(current_user, issue, form.reason.data),
        then=made("withdrawal", lambda _change: url_for("issues.show", issue_id=issue.id)),
    ):
        flash(_("Your issue is withdrawn."), "success")
        return redirect(url_for("issues.show", issue_id=issue.id))
    return render_template("issues/withdraw.html", form=form, issue=issue)


def _decision_form(issue: Issue) -> DecisionForm | None:
    """The decision form, offering only what is possible for the issue's status (None: nothing)."""
    allowed = decisions.possible(issue)
    if not allowed:
        return None
    form = DecisionForm(prefix="decide")
    form.decision.choices = [c for c in form.decision.choices if c.value in allowed]
    others = db.session.execute(
        sa.select(Issue.id, Issue.title)
        .where(
            Issue.process_id == issue.process_id,
            Issue.id != issue.id,
            Issue.status.in_(ACTIVE),
            Issue.visibility == "visible",
        )
        .order_by(Issue.title)
        .limit(500)
    ).tuples()
    form.target_id.choices = options([("", _("Choose an issue")), *others])
    return form


@bp.route("/issues/<int:issue_id>/decide", methods=["POST"])
@login_required
def decide(issue_id: int):
    issue = issue_or_404(issue_id)
    require("issue.decide", issue)
    form = _decision_form(issue)
    if form is None:
        abort(409)
    actions = {
        "shortlist": lambda: decisions.shortlist(current_user, issue, form.reason.data),
        "decline": lambda: decisions.decline(current_user, issue, form.reason.data),
        "reopen": lambda: decisions.reopen(current_user, issue, form.reason.data),
        "merge": lambda: decisions.merge(current_user, issue, _merge_target(form), form.reason.data),
    }
    if form.validate_on_submit() and save(
        form,
        actions.get(form.decision.data, _unknown_decision),
        then=made("decision", lambda _change: url_for("issues.show", issue_id=issue.id)),
    ):
        flash(_("The decision is recorded."), "success")
        return redirect(url_for("issues.show", issue_id=issue.id))
    return _render_issue(issue, decision_form=form, status=400)


def _unknown_decision():
    raise DomainError(_("Choose a decision."), "decision")


def _merge_target(form: DecisionForm) -> Issue:
    target_id = to_int(form.target_id.data or "")
    target = db.session.get(Issue, target_id) if target_id is not None else None
    if target is None or not target.is_visible:
        raise DomainError(_("Choose the issue to merge into."), "target_id")
    return target
