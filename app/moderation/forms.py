"""Forms of the moderation pages. One `ActionForm` per group of actions, each with its own prefix."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.forms_common import Form, max_length, options
from app.issues.forms import ClassificationForm
from app.moderation.models import THREE_P_LABELS, Action
from app.submissions import OnceForm

# What a moderator chooses between, in plain words (the log uses ACTION_LABELS).
CHOICE_LABELS = {
    Action.HIDE: _l("Hide it (a placeholder with the reason stays)"),
    Action.RESTORE: _l("Show it again"),
    Action.APPROVE: _l("Approve: show it to everyone"),
    Action.DISMISS: _l("Keep it: the reports are not right"),
    Action.DECLINE: _l("Do not choose this issue"),
    Action.MERGE: _l("Merge into another issue"),
    Action.LOCK: _l("Close the discussion"),
    Action.UNLOCK: _l("Open the discussion again"),
    Action.FEEDBACK: _l("Give public feedback"),
    Action.RECLASSIFY: _l("Count it differently in the balance"),
    Action.WARN: _l("Send a warning"),
    Action.SUSPEND: _l("Suspend the account (they cannot log in)"),
    Action.REINSTATE: _l("Allow the account again"),
    Action.APPROVE_EDIT: _l("Approve the change: show the new text to everyone"),
    Action.REJECT_EDIT: _l("Do not accept the change: the checked text stays"),
}

GROUPS: dict[str, tuple[Action, ...]] = {
    "visibility": (Action.HIDE, Action.RESTORE, Action.APPROVE, Action.DISMISS),
    "edit": (Action.APPROVE_EDIT, Action.REJECT_EDIT),
    "decision": (Action.DECLINE, Action.MERGE),
    "discussion": (Action.LOCK, Action.UNLOCK),
    "feedback": (Action.FEEDBACK,),
    "balance": (Action.RECLASSIFY,),
    "account": (Action.WARN, Action.SUSPEND, Action.REINSTATE),
}

GROUP_TITLES = {
    "visibility": _l("Show or hide"),
    "edit": _l("A change that waits for a check"),
    "decision": _l("Decide on the issue"),
    "discussion": _l("Discussion"),
    "feedback": _l("Public feedback"),
    "balance": _l("Puzzling, Powering or Participation"),
    "account": _l("The account"),
}


class ActionForm(OnceForm, Form):
    action = RadioField(_l("What do you do?"), validators=[InputRequired(_l("Choose what to do."))])
    merge_into = SelectField(_l("Merge into"), coerce=str, validate_choice=False)
    feedback = TextAreaField(
        _l("Feedback"),
        validators=[Optional(), max_length(5000)],
        description=_l("Everyone sees this on the issue, with the date. You can use Markdown."),
    )
    category = RadioField(
        _l("Count it as"),
        choices=options([(p.value, label) for p, label in THREE_P_LABELS.items()]),
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), max_length(2000)],
        description=_l(
            "Required. It is shown in the public moderation log and to the person concerned. "
            "Do not name who reported it."
        ),
    )

    def offer(self, actions) -> None:
        self.action.choices = options([(a.value, CHOICE_LABELS[a]) for a in actions])
        if len(actions) == 1:
            self.action.data = self.action.data or actions[0].value


class SettingsForm(Form):
    premoderate_first = IntegerField(
        _l("Check the first contributions of new accounts"),
        validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0, max=50)],
        description=_l(
            "How many of a new resident's or partner's first issues and reactions wait for your check. 0: none."
        ),
    )
    auto_hide_after = IntegerField(
        _l("Hide automatically after this many reports"),
        validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0, max=50)],
        description=_l("The contribution waits for your review. 0: never hide automatically."),
    )


class TargetForm(Form):
    phase = SelectField(_l("Phase"), validators=[InputRequired(_l("Choose a phase."))])
    puzzling = IntegerField(
        _l("Puzzling (%)"), validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0, max=100)]
    )
    powering = IntegerField(
        _l("Powering (%)"), validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0, max=100)]
    )
    participation = IntegerField(
        _l("Participation (%)"), validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0, max=100)]
    )


class ClassifyForm(OnceForm, ClassificationForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), max_length(2000)],
        description=_l("Required. It is shown in the public moderation log and to the author."),
    )
