"""Whether contributions are shown: pre-moderation, hiding after reports, and telling the author.

The issues domain calls `initial_visibility` when someone proposes or reacts, and
`after_report` when someone reports; the moderation actions (services.py) use the rest.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.extensions import db
from app.issues.models import Comment, Issue, Report
from app.issues.visibility import get_including_hidden
from app.mail import send_after_commit
from app.mail.language import in_language_of
from app.models_common import utcnow
from app.moderation.models import Action, ModerationAction, Target, Visibility
from app.urls import absolute_url

# Only residents' and partners' contributions wait for a check; the municipality's never do.
PREMODERATED_ROLES = (Role.RESIDENT, Role.PARTNER)


def initial_visibility(author: User, process) -> str:
    """`pending` while a new account has fewer approved contributions in this process than the setting asks."""
    needed = process.premoderate_first or 0
    if needed <= 0 or not author.has_role(*PREMODERATED_ROLES):
        return Visibility.VISIBLE.value
    shown = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Issue)
        .where(Issue.process_id == process.id, Issue.author_id == author.id, Issue.visibility == "visible")
    )
    if shown < needed:
        shown += db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .join(Issue, Issue.id == Comment.issue_id)
            .where(Issue.process_id == process.id, Comment.author_id == author.id, Comment.visibility == "visible")
        )
    return Visibility.PENDING.value if shown < needed else Visibility.VISIBLE.value


def edit_needs_check(author: User, target) -> bool:
    """Whether the author's change to this issue or reaction waits for a check before others see it.

    With pre-moderation on in its process, a resident's or partner's change to a contribution that is
    shown waits when the contribution itself was checked before it was shown (otherwise approving a
    harmless first text would let any text through afterwards), or when the author's contributions
    are still checked first. What waits, and why the checked version stays visible meanwhile:
    app/moderation/edits.py. A contribution that is not shown (waiting, hidden) changes as is: nobody
    else sees it, and a moderator looks at it before it is shown.
    """
    if target.visibility != Visibility.VISIBLE.value or not author.has_role(*PREMODERATED_ROLES):
        return False
    process = issue_of(target).process
    if (process.premoderate_first or 0) <= 0:
        return False
    return was_checked(target) or initial_visibility(author, process) == Visibility.PENDING.value


def was_checked(target) -> bool:
    """Whether a moderator approved this contribution before it was shown."""
    target_type = Target.ISSUE.value if isinstance(target, Issue) else Target.COMMENT.value
    return (
        db.session.scalar(
            sa.select(ModerationAction.id)
            .where(
                ModerationAction.target_type == target_type,
                ModerationAction.target_id == target.id,
                ModerationAction.action == Action.APPROVE.value,
            )
            .limit(1)
        )
        is not None
    )


def target_model(target_type: str):
    return {Target.ISSUE.value: Issue, Target.COMMENT.value: Comment, Target.USER.value: User}[target_type]


def issue_of(target) -> Issue | None:
    if isinstance(target, Issue):
        return target
    if isinstance(target, Comment):
        return get_including_hidden(Issue, target.issue_id)  # the issue of a reaction, also when it is hidden
    return None


def open_reports(target_type: str, target_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None))
    )


def reports_towards_hiding(target_type: str, target_id: int) -> int:
    """Open reports that count towards hiding automatically: those made by accounts that were at least
    `REPORT_MIN_ACCOUNT_AGE_HOURS` old when they reported.

    So a few accounts made for the purpose cannot hide someone's contribution at once; their reports still
    reach the moderation queue. Counted in Python: the few rows per contribution, the same on every database.
    """
    min_age = timedelta(hours=current_app.config["REPORT_MIN_ACCOUNT_AGE_HOURS"])
    rows = db.session.execute(
        sa.select(Report.created_at, User.created_at)
        .join(User, User.id == Report.reporter_id)
        .where(Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None))
    ).all()
    return sum(1 for reported_at, registered_at in rows if reported_at - registered_at >= min_age)


def resolve_reports(target_type: str, target_id: int) -> None:
    db.session.execute(
        sa.update(Report)
        .where(Report.target_type == target_type, Report.target_id == target_id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def after_report(target_type: str, target_id: int) -> bool:
    """Hide a contribution automatically once it has as many open reports as its process allows.

    The update only changes a visible row, so two reports at once hide (and log) it once.
    Returns whether this report hid it.
    """
    model = target_model(target_type)
    target = db.session.get(model, target_id)
    issue = issue_of(target)
    if target is None or issue is None:
        return False
    threshold = issue.process.auto_hide_after
    count = reports_towards_hiding(target_type, target_id)
    if not threshold or count < threshold:
        return False
    note = _auto_note(count)
    hidden = db.session.execute(
        sa.update(model)
        .where(model.id == target_id, model.visibility == Visibility.VISIBLE.value)
        .values(visibility=Visibility.AUTO_HIDDEN.value, moderation_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    if hidden != 1:
        return False
    db.session.refresh(target)
    db.session.add(
        ModerationAction(
            process_id=issue.process_id,
            issue_id=issue.id,
            action=Action.AUTO_HIDE.value,
            target_type=target_type,
            target_id=target_id,
            reason=note,
            moderator_id=None,
            details={"reports": count},
        )
    )
    tell_author(target, Action.AUTO_HIDE, lambda: _auto_note(count))  # the platform's words: in their language
    db.session.flush()
    return True


def _auto_note(count: int) -> str:
    return _("Hidden automatically after %(n)d reports. The neighbourhood director will look at it.", n=count)


def _link(target) -> str:
    issue = issue_of(target)
    anchor = f"comment-{target.id}" if isinstance(target, Comment) else None
    return absolute_url("issues.show", issue_id=issue.id, _anchor=anchor)  # BASE_URL, not the reporter's Host


MESSAGES = {
    Action.HIDE: lambda: _("Your contribution was hidden by the neighbourhood director."),
    Action.AUTO_HIDE: lambda: _("Your contribution was hidden for now, because several people reported it."),
    Action.RESTORE: lambda: _("Your contribution is visible again."),
    Action.APPROVE: lambda: _("Your contribution was checked and is now visible to everyone."),
    Action.DISMISS: lambda: _("Your contribution was reported, but it stays visible."),
    Action.DECLINE: lambda: _("Your issue was not chosen."),
    Action.MERGE: lambda: _("Your issue was merged with another issue."),
    Action.LOCK: lambda: _("The discussion of your issue was closed."),
    Action.UNLOCK: lambda: _("The discussion of your issue is open again."),
    Action.CLASSIFY: lambda: _("The neighbourhood director changed the classification of your issue."),
    Action.FEEDBACK: lambda: _("The neighbourhood director responded to your issue."),
    Action.WARN: lambda: _("You received a warning from the neighbourhood director."),
    Action.SUSPEND: lambda: _("Your account was suspended by the neighbourhood director."),
    Action.REINSTATE: lambda: _("You can use your account again."),
    Action.APPROVE_EDIT: lambda: _("Your change was checked and is now visible to everyone."),
    Action.REJECT_EDIT: lambda: _("Your change was not accepted. The earlier text stays visible."),
}


def tell_author(target, action: Action, reason) -> None:
    """Mail the author (or the account holder) what happened and why, once the change is committed, in their
    language. `reason`: a moderator's own words, as written, or a callable giving the platform's words (then
    translated for the author)."""
    person = target if isinstance(target, User) else target.author
    if person is None or action not in MESSAGES or not person.email:
        return
    with in_language_of(person):  # theirs, not the moderator's
        reason = reason() if callable(reason) else reason
        lines = [_("Hello %(name)s,", name=person.display_name), "", MESSAGES[action](), "", _("The reason:"), reason]
        if not isinstance(target, User):
            lines += ["", _("See it here: %(link)s", link=_link(target))]
        lines += ["", _("Questions? Answer this e-mail or contact the neighbourhood director.")]
        send_after_commit(person.email, MESSAGES[action](), "\n".join(lines))
