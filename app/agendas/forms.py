"""Forms for agendas, activities, working groups, consent rounds and links."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.accounts.forms import MultiCheckboxField
from app.agendas.models import ACTIVITY_LABELS, LABELS, ActivityStatus, Answer, LinkKind
from app.forms_common import Form, enum_options, max_length
from app.submissions import OnceForm

MESSAGE_HINT = _l("For example: 'added the costs of the youth worker'. Others see this in the history.")


class BaseForm(Form):
    base = HiddenField()  # the revision the page showed
    message = StringField(
        _l("What did you change? (short)"), validators=[Optional(), max_length(300)], description=MESSAGE_HINT
    )


class TextsForm(BaseForm):
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), max_length(5000)],
        description=_l("What do we want to reach with this agenda, in a few sentences?"),
    )
    review_moment = StringField(
        _l("When do we look at the agenda again?"),
        validators=[Optional(), max_length(500)],
        description=_l("For example: every half year, in January and July."),
    )
    reviewers = StringField(
        _l("Who looks at it then?"),
        validators=[Optional(), max_length(500)],
        description=_l("For example: the working group with the neighbourhood director."),
    )
    success = TextAreaField(
        _l("How do we judge whether it works?"),
        validators=[Optional(), max_length(5000)],
        description=_l("What will we see or measure when it succeeds?"),
    )


class DecimalTextField(StringField):
    """A number typed as text (the service reads 0,5 and 0.5), shown with the reader's decimal sign."""

    def _value(self):
        if not self.raw_data and isinstance(self.data, int | float):
            return format_decimal(self.data, "0.##")
        return super()._value()


class ActivityForm(OnceForm, BaseForm):
    volatile = ("base",)  # the revision the page showed: one later after the first save
    title = StringField(_l("Activity"), validators=[DataRequired(_l("Give the activity a title.")), max_length(200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(5000)])
    responsible = SelectField(
        _l("Responsible party"), validate_choice=False, description=_l("Who makes sure this happens?")
    )
    contributors = MultiCheckboxField(_l("Contributing parties"), validate_choice=False)
    euros = StringField(
        _l("Money (euros)"), validators=[Optional(), max_length(20)], render_kw={"inputmode": "numeric"}
    )
    hours = StringField(_l("Hours"), validators=[Optional(), max_length(20)], render_kw={"inputmode": "numeric"})
    fte = DecimalTextField(
        _l("People (FTE)"),
        validators=[Optional(), max_length(20)],
        render_kw={"inputmode": "decimal"},
        description=_l("For example 0,5 for half a full-time job."),
    )
    in_kind = StringField(
        _l("In kind"),
        validators=[Optional(), max_length(500)],
        description=_l("For example: a room, materials, volunteers."),
    )
    from_q = StringField(_l("From (quarter)"), validators=[Optional(), max_length(7)], description=_l("Like 2027-Q1."))
    to_q = StringField(_l("To (quarter)"), validators=[Optional(), max_length(7)], description=_l("Like 2027-Q4."))
    indicator = TextAreaField(_l("How do we see it worked?"), validators=[Optional(), max_length(1000)])
    status = SelectField(
        _l("Status"),
        choices=enum_options(ActivityStatus, ACTIVITY_LABELS),
        default=ActivityStatus.PROPOSED.value,
    )


class JoinForm(OnceForm, Form):
    motivation = TextAreaField(_l("Why do you want to join? (optional)"), validators=[Optional(), max_length(2000)])


class ConsentForm(OnceForm, Form):
    answer = RadioField(
        _l("Your answer"),
        choices=enum_options(Answer, LABELS),
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    reason = TextAreaField(
        _l("Your reason"),
        validators=[Optional(), max_length(5000)],
        description=_l("Needed for an objection or a concern."),
    )


class RespondForm(OnceForm, Form):
    response = TextAreaField(_l("Your answer to the objection"), validators=[Optional(), max_length(5000)])
    with_revision = BooleanField(_l("The latest revision of the agenda deals with this objection"))


class LinkForm(OnceForm, Form):
    from_activity = SelectField(_l("From"), validate_choice=False)
    target = SelectField(
        _l("Linked to"), validate_choice=False, validators=[DataRequired(_l("Choose an issue or activity."))]
    )
    kind = SelectField(_l("How"), choices=enum_options(LinkKind, LABELS))
    note = TextAreaField(
        _l("Explain the link"), validators=[DataRequired(_l("Explain the link in a few words.")), max_length(2000)]
    )
