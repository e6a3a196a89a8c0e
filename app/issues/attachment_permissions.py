"""Who may add and remove the photos and PDFs of an issue (gathered by app/policy.py).

The author adds them while they may still correct the issue (`ISSUE_EDIT_MINUTES` after publishing,
while it is open), as app/issues/editing.py allows for the text; the neighbourhood director and the
administrator at any time. Removing is always possible for the issue's author (a photo someone
regrets, a face that should not be there) and for the moderators.

Pre-moderation: a photo cannot wait for a check the way a changed text does (app/moderation/edits.py
holds texts only). So where a change by the author would wait (`edit_needs_check`: the issue was
checked before it was shown, or the author's contributions are still checked first), the author
cannot add photos to the shown issue; a moderator can. To an issue that waits for a check the
author adds them freely: the moderator sees them with the issue before anyone else does.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.issues.permissions import issue_is_open
from app.models_common import utcnow
from app.moderation.visibility import edit_needs_check
from app.predicates import ALLOW, Decision, Predicate, is_author, is_moderator, predicate, signed_in

author_may_attach = is_author(reason=_l("Only the author of an issue can add photos and files to it."))


@predicate
def attach_window_open(_user, issue) -> Decision:
    """As long as the author may correct the issue itself (`ISSUE_EDIT_MINUTES`)."""
    minutes = current_app.config["ISSUE_EDIT_MINUTES"]
    if utcnow() - issue.created_at <= timedelta(minutes=minutes):
        return ALLOW
    return Decision(
        False,
        _("You can add photos and files for %(minutes)d minutes after publishing.", minutes=minutes),
        because="state",
    )


@predicate(
    reason=_l(
        "Your contributions are checked before others see them, so you cannot add photos or files to this"
        " issue yourself. The neighbourhood director can add them for you."
    ),
    kind="state",
)
def files_need_no_check(user, issue) -> bool:
    return not edit_needs_check(user, issue)


@predicate(reason=_l("Only the author of the issue can remove its photos and files."), kind="role")
def wrote_its_issue(user, attachment) -> bool:
    issue = attachment.issue
    return issue is not None and issue.author_id is not None and issue.author_id == user.id


rules: dict[str, Predicate] = {}

rules["issue.attach"] = signed_in & (
    is_moderator | author_may_attach & issue_is_open & attach_window_open & files_need_no_check
)
rules["attachment.remove"] = signed_in & (is_moderator | wrote_its_issue)
