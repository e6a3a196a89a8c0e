"""Forms for agendas, activities, working groups, consent rounds and links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import MultiCheckboxField
from app.agendas.models import ActivityStatus, Answer, LinkKind, agenda_label
from app.forms_common import options

MESSAGE_HINT = _l("For example: 'added the costs of the youth worker'. Others see this in the history.")


class BaseForm(FlaskForm):
    base = HiddenField()  # the revision the page showed
    message = StringField(
        _l("What did you change? (short)"), validators=[Optional(), Length(max=300)], description=MESSAGE_HINT
    )


class TextsForm(BaseForm):
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What do we want to reach with this agenda, in a few sentences?"),
    )
    review_moment = StringField(
        _l("When do we look at the agenda again?"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example: every half year, in January and July."),
    )
    reviewers = StringField(
        _l("Who looks at it then?"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example: the working group with the neighbourhood director."),
    )
    success = TextAreaField(
        _l("How do we judge whether it works?"),
        validators=[Optional(), Length(max=5000)],
        description=_l("What will we see or measure when it succeeds?"),
    )


class ActivityForm(BaseForm):
    title = StringField(_l("Activity"), validators=[DataRequired(_l("Give the activity a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    responsible = SelectField(
        _l("Responsible party"), validate_choice=False, description=_l("Who makes sure this happens?")
    )
    contributors = MultiCheckboxField(_l("Contributing parties"), validate_choice=False)
    euros = StringField(
        _l("Money (euros)"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "numeric"}
    )
    hours = StringField(_l("Hours"), validators=[Optional(), Length(max=20)], render_kw={"inputmode": "numeric"})
    fte = StringField(
        _l("People (FTE)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "decimal"},
        description=_l("For example 0,5 for half a full-time job."),
    )
    in_kind = StringField(
        _l("In kind"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example: a room, materials, volunteers."),
    )
    from_q = StringField(_l("From (quarter)"), validators=[Optional(), Length(max=7)], description=_l("Like 2027-Q1."))
    to_q = StringField(_l("To (quarter)"), validators=[Optional(), Length(max=7)], description=_l("Like 2027-Q4."))
    indicator = TextAreaField(_l("How do we see it worked?"), validators=[Optional(), Length(max=1000)])
    status = SelectField(
        _l("Status"),
        choices=options((s.value, agenda_label(s)) for s in ActivityStatus),
        default=ActivityStatus.PROPOSED.value,
    )


class JoinForm(FlaskForm):
    motivation = TextAreaField(_l("Why do you want to join? (optional)"), validators=[Optional(), Length(max=2000)])


class ConsentForm(FlaskForm):
    answer = RadioField(
        _l("Your answer"),
        choices=options((a.value, agenda_label(a)) for a in Answer),
        validators=[InputRequired(_l("Choose one of the options."))],
    )
    reason = TextAreaField(
        _l("Your reason"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Needed for an objection or a concern."),
    )


class RespondForm(FlaskForm):
    response = TextAreaField(_l("Your answer to the objection"), validators=[Optional(), Length(max=5000)])
    with_revision = BooleanField(_l("The latest revision of the agenda deals with this objection"))


class LinkForm(FlaskForm):
    from_activity = SelectField(_l("From"), validate_choice=False)
    target = SelectField(
        _l("Linked to"), validate_choice=False, validators=[DataRequired(_l("Choose an issue or activity."))]
    )
    kind = SelectField(_l("How"), choices=options((k.value, agenda_label(k)) for k in LinkKind))
    note = TextAreaField(
        _l("Explain the link"), validators=[DataRequired(_l("Explain the link in a few words.")), Length(max=2000)]
    )
