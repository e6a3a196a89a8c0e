"""An issue's author corrects it: for a while after publishing (`issue.edit`), with the earlier text kept.

Every change keeps what the issue said before as an `IssueRevision` (shown in its history). With
pre-moderation on, a change may wait for a check first (app/moderation/edits.py); a moderator who
approves it applies it here, as if the author saved it then.
"""

from __future__ import annotations

from dataclasses import asdict

from app.accounts.models import User
from app.extensions import db
from app.issues.models import Issue, IssueRevision
from app.issues.services import IssueData, apply_data, classification, validate
from app.models_common import utcnow
from app.moderation import edits
from app.moderation.visibility import edit_needs_check


def data_of(issue: Issue) -> IssueData:
    """The issue's text and classification as the form and the service take them."""
    return IssueData(
        title=issue.title,
        description=issue.description,
        scale=issue.scale,
        term=issue.term,
        breadth=issue.breadth,
        domains=sorted(d.value for d in issue.domains),
        place=issue.place,
        involve_others=issue.involve_others,
        organisation_ids=sorted(row.organisation_id for row in issue.involved_rows),
    )


def _cleaned(data: IssueData) -> dict:
    """The data as `apply_data` would store it, to compare with `data_of` (a dict for the JSON column)."""
    return {
        **asdict(data),
        "title": data.title.strip(),
        "description": data.description.strip(),
        "place": data.place.strip()[:120],
        "involve_others": data.involve_others.strip()[:2000],
        "domains": sorted(set(data.domains)),
        "organisation_ids": sorted(set(data.organisation_ids)),
    }


def edit(editor: User, issue: Issue, data: IssueData) -> bool:
    """The author corrects the issue. False: the change waits for a check first (app/moderation/edits.py)."""
    validate(data)
    wanted, current = _cleaned(data), asdict(data_of(issue))
    if wanted == current:
        edits.drop(issue)  # back to the text that is shown: nothing waits any more
        return True
    if edit_needs_check(editor, issue):
        edits.hold(editor, issue, wanted, base=current)
        return False
    apply_edit(editor.id, issue, data)
    edits.drop(issue)
    return True


def apply_edit(editor_id: int | None, issue: Issue, data: IssueData) -> None:
    """Change the issue; everything it said before is kept as a revision."""
    before = (issue.title, issue.description, classification(issue))
    snapshot = IssueRevision(
        issue_id=issue.id,
        title=issue.title,
        description=issue.description,
        classification=before[2],
        edited_by_id=editor_id,
    )
    apply_data(issue, data)
    if (issue.title, issue.description, classification(issue)) != before:
        db.session.add(snapshot)
    issue.updated_at = utcnow()
    db.session.flush()
