"""The moderation actions. Each needs a reason, is logged publicly and tells the person concerned.

`act(actor, target, action, reason, **extra)` is the one entry point the views and the CLI use;
it checks that the action fits the target and its state, so a stale form cannot, for example,
restore something that was never hidden.
"""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.accounts.sessions import end_all_sessions
from app.errors import DomainError
from app.extensions import db
from app.issues import comments, decisions
from app.issues.editing import apply_edit, data_of
from app.issues.models import Comment, Issue, IssueRevision
from app.issues.services import (
    IssueData,
    announce_comment,
    apply_data,
    classification,
    record_first_response,
    validate,
)
from app.models_common import utcnow
from app.moderation import edits
from app.moderation.balance import default_category
from app.moderation.models import (
    THREE_P_LABELS,
    Action,
    BalanceOverride,
    ModerationAction,
    Target,
    ThreeP,
    Visibility,
)
from app.moderation.visibility import issue_of, open_reports, resolve_reports, tell_author
from app.notifications import events
from app.processes.models import ProcessPhase

REASON_MIN = 10
REASON_MAX = 2000
FEEDBACK_MAX = 5000
# Accounts the neighbourhood director may warn or suspend; other roles are the administrator's.
SUSPENDABLE = (Role.RESIDENT, Role.PARTNER)


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise DomainError(
            _("Give a reason of at least %(n)d characters. It is shown in the public log.", n=REASON_MIN), field
        )
    if len(text) > REASON_MAX:
        raise DomainError(_("Keep the reason under %(n)d characters.", n=REASON_MAX), field)
    return text


def target_type_of(target) -> str:
    if isinstance(target, Issue):
        return Target.ISSUE.value
    if isinstance(target, Comment):
        return Target.COMMENT.value
    return Target.USER.value


def possible(target, reported: bool | None = None, held: bool | None = None) -> tuple[Action, ...]:
    """The actions that fit this target in its current state (the forms offer exactly these).

    `reported`: whether it has open reports, `held`: whether a change of its author waits for a
    check (app/moderation/edits.py), when the caller knows already (the queue does).
    """
    if isinstance(target, User):
        if not target.has_role(*SUSPENDABLE):
            return ()
        if target.active:
            return (Action.WARN, Action.SUSPEND)
        # an account the administrator suspended stays the administrator's to allow again
        return (Action.REINSTATE,) if _last_account_action(target) == Action.SUSPEND.value else ()
    visibility = Visibility(target.visibility)
    if visibility == Visibility.WITHDRAWN:
        return ()  # its author took it back: nothing of it is shown any more
    if held is None:
        held = edits.held(target) is not None
    edit_actions = [Action.APPROVE_EDIT, Action.REJECT_EDIT] if held else []
    actions = {
        Visibility.VISIBLE: [Action.HIDE],
        Visibility.PENDING: [Action.APPROVE, Action.HIDE],
        Visibility.AUTO_HIDDEN: [Action.RESTORE, Action.HIDE],
        Visibility.HIDDEN: [Action.RESTORE],
    }[visibility]
    if reported is None:
        reported = visibility == Visibility.VISIBLE and _has_open_reports(target)
    if visibility == Visibility.VISIBLE and reported:
        actions.append(Action.DISMISS)
    if isinstance(target, Issue):
        # deciding on a hidden issue would show it again (a merge moves its reactions, names it)
        allowed = decisions.possible(target) if visibility == Visibility.VISIBLE else ()
        actions += [a for a, name in ((Action.DECLINE, "decline"), (Action.MERGE, "merge")) if name in allowed]
        actions.append(Action.UNLOCK if target.discussion_locked else Action.LOCK)
        actions += [Action.FEEDBACK, Action.CLASSIFY]
    actions.append(Action.RECLASSIFY)
    return tuple(actions + edit_actions)


def _last_account_action(user: User) -> str | None:
    return db.session.scalar(
        sa.select(ModerationAction.action)
        .where(ModerationAction.target_type == Target.USER.value, ModerationAction.target_id == user.id)
        .order_by(ModerationAction.id.desc())
        .limit(1)
    )


def _has_open_reports(target) -> bool:
    return open_reports(target_type_of(target), target.id) > 0


def act(actor: User, target, action: str, reason: str, **extra) -> ModerationAction:
    try:
        chosen = Action(action)
    except ValueError:
        raise DomainError(_("Choose what to do."), "action") from None
    if chosen not in possible(target):
        raise DomainError(_("This is not possible for this contribution (any more). Reload the page."), "action")
    if chosen == Action.FEEDBACK:
        reason = _feedback_text(extra.get("feedback", ""))
    else:
        reason = _reason(reason)
    details = HANDLERS[chosen](actor, target, reason, **extra) or {}
    issue = issue_of(target)
    entry = ModerationAction(
        process_id=issue.process_id if issue else None,
        issue_id=issue.id if issue else None,
        action=chosen.value,
        target_type=target_type_of(target),
        target_id=target.id,
        reason=reason,
        moderator_id=actor.id,
        details=details,
    )
    db.session.add(entry)
    if chosen != Action.RECLASSIFY and not _told_by_event(chosen, target):
        tell_author(target, chosen, reason)  # a reclassification is internal bookkeeping: nobody is mailed
    db.session.flush()
    return entry


# Decisions and feedback on an issue are events (app/notifications): its author, followers and supporters hear
# of them as each chose. A mail of its own to the author would tell them twice.
TOLD_BY_EVENT = (Action.DECLINE, Action.MERGE, Action.FEEDBACK)


def _told_by_event(action: Action, target) -> bool:
    # feedback on an issue nobody else sees is announced to nobody: its author still gets the mail
    return action in TOLD_BY_EVENT and isinstance(target, Issue) and target.is_visible


# --- the handlers: each changes the target and returns details for the log ---------------------


def _set_visibility(target, visibility: Visibility, note: str = "") -> dict:
    before = target.visibility
    target.visibility = visibility.value
    target.moderation_note = note
    resolve_reports(target_type_of(target), target.id)
    return {"from": before}


def _hide(actor, target, reason, **_extra):
    return _set_visibility(target, Visibility.HIDDEN, reason)


def _restore(actor, target, reason, **_extra):
    details = _set_visibility(target, Visibility.VISIBLE)
    if isinstance(target, Comment) and details["from"] == Visibility.PENDING.value and target.author:
        record_first_response(target.author, issue_of(target))  # the Groene Loper counts it from now
    if isinstance(target, Comment) and not _shown_before(target, details["from"]):
        announce_comment(target, issue_of(target))  # nothing waiting for a check was announced: now it is
    return details


def _shown_before(target, before: str) -> bool:
    """Whether this contribution was shown to everyone before (then its arrival was announced already).

    A contribution starts visible or waiting for a check; the log tells whether a hidden one was ever
    visible: approved, hidden automatically (only visible ones are), or hidden while it was visible.
    """
    if before == Visibility.VISIBLE.value:
        return True
    if before == Visibility.PENDING.value:
        return False
    log = db.session.execute(
        sa.select(ModerationAction.action, ModerationAction.details).where(
            ModerationAction.target_type == target_type_of(target), ModerationAction.target_id == target.id
        )
    ).all()
    return any(
        action in (Action.APPROVE.value, Action.AUTO_HIDE.value, Action.RESTORE.value)
        or (details or {}).get("from") == Visibility.VISIBLE.value
        for action, details in log
    )


def _decline(actor, issue, reason, **_extra):
    decisions.decline(actor, issue, reason)


def _merge(actor, issue, reason, merge_into=None, **_extra):
    target = db.session.get(Issue, merge_into) if merge_into else None
    if target is None or target.process_id != issue.process_id or not target.is_visible:
        raise DomainError(_("Choose the issue to merge into."), "merge_into")
    decisions.merge(actor, issue, target, reason)
    return {"into": target.id}


def _lock(actor, issue, reason, **_extra):
    issue.discussion_locked = True


def _unlock(actor, issue, reason, **_extra):
    issue.discussion_locked = False


def _feedback_text(text: str) -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise DomainError(_("Write your feedback (at least %(n)d characters).", n=REASON_MIN), "feedback")
    if len(text) > FEEDBACK_MAX:
        raise DomainError(_("Keep the feedback under %(n)d characters.", n=FEEDBACK_MAX), "feedback")
    return text


def _feedback(actor, issue, text, **_extra):
    changed = text != issue.feedback
    issue.feedback = text
    issue.feedback_at = utcnow()
    if changed:  # the same text saved again tells nobody anything new
        events.record("issue_feedback", actor=actor, issue=issue, feedback=events.quote(text))


def _classify(actor, issue, reason, data: IssueData | None = None, **_extra):
    """Change the classification (domains, scale, term, breadth, place); the text stays the author's."""
    if data is None:
        raise DomainError(_("Choose the classification."), "scale")
    data.title, data.description = issue.title, issue.description
    validate(data)
    before = classification(issue)
    snapshot = IssueRevision(
        issue_id=issue.id,
        title=issue.title,
        description=issue.description,
        classification=before,
        edited_by_id=actor.id,
    )
    apply_data(issue, data)
    after = classification(issue)
    if after == before:
        raise DomainError(_("Nothing changed. Choose a different classification."), "scale")
    db.session.add(snapshot)
    issue.updated_at = utcnow()
    return {"from": before, "to": after}


def _warn(actor, user, reason, **_extra):
    pass  # the mail (tell_author) and the log entry are the warning


def _suspend(actor, user, reason, **_extra):
    if user.id == actor.id:
        raise DomainError(_("You cannot suspend your own account."), "action")
    user.active = False
    end_all_sessions(user)


def _reinstate(actor, user, reason, **_extra):
    user.active = True


def _approve_edit(actor, target, reason, **_extra):
    """Apply the author's held change, as if they saved it now (only the fields they changed)."""
    held = edits.held(target)
    if held is None:
        raise DomainError(_("This change is no longer waiting. Reload the page."), "action")
    changes = held.changes
    if isinstance(target, Issue):
        data = IssueData(**{**asdict(data_of(target)), **changes})
        validate(data)
        apply_edit(held.author_id, target, data)
    else:
        comments.apply(held.author_id, target, changes)
    edits.drop(target)
    return {"fields": sorted(changes)}


def _reject_edit(actor, target, reason, **_extra):
    held = edits.held(target)
    if held is None:
        raise DomainError(_("This change is no longer waiting. Reload the page."), "action")
    edits.drop(target)
    return {"fields": sorted(held.changes)}


def _reclassify(actor, target, reason, category: str = "", **_extra):
    try:
        chosen = ThreeP(category)
    except ValueError:
        raise DomainError(_("Choose Puzzling, Powering or Participation."), "category") from None
    source = target_type_of(target)
    override = db.session.scalar(
        sa.select(BalanceOverride).where(BalanceOverride.source == source, BalanceOverride.target_id == target.id)
    )
    before = override.category if override is not None else default_category(source, target)
    if before == chosen.value:
        raise DomainError(_("It already counts as %(p)s.", p=THREE_P_LABELS[chosen]), "category")
    if override is None:
        db.session.add(
            BalanceOverride(source=source, target_id=target.id, category=chosen.value, changed_by_id=actor.id)
        )
    else:
        override.category, override.changed_by_id, override.changed_at = chosen.value, actor.id, utcnow()
    return {"from": before, "to": chosen.value}


HANDLERS = {
    Action.HIDE: _hide,
    Action.RESTORE: _restore,
    Action.APPROVE: _restore,
    Action.DISMISS: _restore,
    Action.DECLINE: _decline,
    Action.MERGE: _merge,
    Action.LOCK: _lock,
    Action.UNLOCK: _unlock,
    Action.FEEDBACK: _feedback,
    Action.CLASSIFY: _classify,
    Action.WARN: _warn,
    Action.SUSPEND: _suspend,
    Action.REINSTATE: _reinstate,
    Action.RECLASSIFY: _reclassify,
    Action.APPROVE_EDIT: _approve_edit,
    Action.REJECT_EDIT: _reject_edit,
}


def save_settings(process, premoderate_first: int, auto_hide_after: int) -> None:
    for value, field in ((premoderate_first, "premoderate_first"), (auto_hide_after, "auto_hide_after")):
        if value is None or not 0 <= value <= 50:
            raise DomainError(_("Give a number from 0 to 50."), field)
    process.premoderate_first = premoderate_first
    process.auto_hide_after = auto_hide_after
    db.session.flush()


def set_target(process, phase_key: str, puzzling: int, powering: int, participation: int) -> None:
    if puzzling + powering + participation != 100:
        raise DomainError(
            _("The three together must make 100%%. Now they make %(n)d%%.", n=puzzling + powering + participation),
            "participation",
        )
    phase = process.phase(phase_key)
    if phase is None:
        phase = ProcessPhase(process_id=process.id, key=phase_key)
        db.session.add(phase)
    phase.target_puzzling, phase.target_powering, phase.target_participation = puzzling, powering, participation
    db.session.flush()
