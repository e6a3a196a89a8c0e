"""Forms for issues, comments, reports, decisions and the prioritisation round."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from app.accounts.forms import MultiCheckboxField
from app.accounts.models import SECTOR_LABELS, Sector
from app.forms_common import Form, enum_options, max_length, options
from app.issues.models import LABELS, Breadth, CommentKind, Scale, Stance, Term
from app.request_args import id_choice
from app.submissions import OnceForm

MARKDOWN_HINT = _l("You can use Markdown: *italic*, **bold**, lists and links.")


# Created before the classification fields, so forms list them first (WTForms orders by creation).
_TITLE = StringField(
    _l("Title"),
    validators=[DataRequired(_l("Write a title.")), max_length(140)],
    description=_l("Short and clear, for example: 'More light on the path to the shopping centre'."),
)
_DESCRIPTION = TextAreaField(
    _l("What is the problem or the idea?"),
    validators=[DataRequired(_l("Explain the issue.")), max_length(10000)],
    description=MARKDOWN_HINT,
)


class ClassificationForm(Form):
    """How an issue is classified; the neighbourhood director may correct it (moderation)."""

    domains = MultiCheckboxField(
        _l("What is it about?"),
        choices=enum_options(Sector, SECTOR_LABELS),
        description=_l("Choose one, or more if the issue is broad."),
    )
    breadth = RadioField(
        _l("One subject or broad?"),
        choices=enum_options(Breadth, LABELS),
        default=Breadth.SINGLE.value,
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    scale = RadioField(
        _l("How big is it?"),
        choices=enum_options(Scale, LABELS),
        default=Scale.SMALL.value,
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    term = RadioField(
        _l("When could something change?"),
        choices=enum_options(Term, LABELS),
        default=Term.SHORT.value,
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    place = StringField(
        _l("Part of the neighbourhood or place (if it matters)"),
        validators=[Optional(), max_length(120)],
        description=_l("For example: Cesar Franckrode, the shopping area, the park."),
    )
    organisations = MultiCheckboxField(
        _l("Which organisations should be involved?"), coerce=id_choice, validate_choice=False
    )
    involve_others = TextAreaField(
        _l("Who else should be involved?"),
        validators=[Optional(), max_length(2000)],
        description=_l("People or groups that are not in the list above."),
    )


class IssueForm(OnceForm, ClassificationForm):
    volatile = ("step",)  # the similar-issues step: a page fetched again starts at "check"
    title = _TITLE
    description = _DESCRIPTION
    step = HiddenField(default="check")


class CommentEditForm(Form):
    """A reaction's own fields; its author changes them with this form too."""

    body = TextAreaField(
        _l("Your reaction"),
        validators=[DataRequired(_l("Write your reaction.")), max_length(5000)],
        description=MARKDOWN_HINT,
    )
    stance = RadioField(
        _l("What do you think of the issue?"),
        choices=enum_options(Stance, LABELS),
        default=Stance.NEUTRAL.value,
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    kind = RadioField(
        _l("What kind of reaction is it?"),
        choices=enum_options(CommentKind, LABELS),
        default=CommentKind.EXPERIENCE.value,
        validators=[InputRequired(_l("Choose one of the options."))],
    )


class CommentForm(OnceForm, CommentEditForm):
    parent_id = HiddenField()


class ReportForm(OnceForm, Form):
    reason = TextAreaField(
        _l("What is wrong with it?"),
        validators=[DataRequired(_l("Tell us briefly what is wrong.")), max_length(2000)],
        description=_l(
            "For example: it insults someone, it is advertising, or it shares someone's private details. "
            "Who reported something is never made public."
        ),
    )


class ReasonForm(OnceForm, Form):
    reason = TextAreaField(
        _l("Why?"),
        validators=[DataRequired(_l("Write down why.")), max_length(5000)],
        description=_l("Everyone can read this."),
    )


class DecisionForm(OnceForm, Form):
    decision = RadioField(
        _l("Decision"),
        choices=options(
            [
                ("shortlist", _l("Choose for an agenda (shortlist)")),
                ("merge", _l("Merge into another issue")),
                ("decline", _l("Do not choose")),
                ("reopen", _l("Open again")),
            ]
        ),
        validators=[InputRequired(_l("Choose a decision."))],
    )
    target_id = SelectField(
        _l("Merge into"), coerce=str, validate_choice=False, description=_l("Only needed when you merge.")
    )
    reason = TextAreaField(
        _l("Rationale"),
        validators=[DataRequired(_l("Write down why.")), max_length(5000)],
        description=_l("Everyone can read this on the issue and the process page."),
    )


class PointsForm(Form):
    points = IntegerField(_l("Points"), validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=0)])


class RoundForm(Form):
    points_per_person = IntegerField(
        _l("Points per person"),
        default=5,
        validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=1, max=50)],
    )
    max_per_issue = IntegerField(
        _l("Most points for one issue"),
        default=3,
        validators=[InputRequired(_l("Fill in a number.")), NumberRange(min=1, max=50)],
    )
    results_while_open = BooleanField(
        _l("Show the results while the round is open"),
        description=_l("Usually off, so people are not led by what others chose."),
    )


class EmptyForm(Form):
    """Only the CSRF token, for buttons."""
