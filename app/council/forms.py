"""The form for recording and correcting a council position."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.council.models import LABELS, Outcome, PositionKind
from app.forms_common import Form, enum_options, max_length, options
from app.processes.models import PHASES, phase_label
from app.request_args import to_int
from app.submissions import OnceForm


class DutchDateField(DateField):
    """A date as year-month-day (what the browser's date picker sends) or as day-month-year,
    with a plain message when neither fits. An empty field is left to the required check."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Write the date as year-month-day, for example 2026-03-12.")) from None


ISSUE_NUMBER = _l("an issue number")


class NumbersField(StringField):
    """Issue numbers typed as "12, 15".

    Why typed numbers and not a list to tick: a process may have hundreds of issues, which makes a
    list of checkboxes long on a phone and a multi-select hard to use with a keyboard or screen reader,
    while a list of only the chosen issues would leave out motions about open or declined ones. A council
    clerk works from the council's documents, which name the issues; the number is on every issue page
    and in its address. The form lists the chosen issues with their numbers as a reminder, and the
    service checks that every number exists in the process. Covenants are linked the same way.
    """

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(n) for n in self.data or [])

    def __init__(self, *args, what=ISSUE_NUMBER, **kwargs):
        super().__init__(*args, **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        self.data = []
        text = valuelist[0] if valuelist else ""
        for token in re.split(r"[\s,;]+", text.strip()):
            number = token.lstrip("#")
            if not token:
                continue
            if to_int(number, minimum=1) is None:
                raise ValueError(
                    _(
                        "'%(value)s' is not %(what)s. Write numbers with commas, for example 12, 15.",
                        value=token,
                        what=self.what,
                    )
                )
            self.data.append(int(number))


class PositionForm(OnceForm, Form):
    process_id = SelectField(_l("Process"), validators=[DataRequired(_l("Choose the process."))])
    kind = RadioField(
        _l("What kind of position is it?"),
        choices=enum_options(PositionKind, LABELS),
        validators=[InputRequired(_l("Choose what kind of position it is."))],
    )
    faction = StringField(
        _l("Faction"),
        validators=[Optional(), max_length(120)],
        description=_l("Only for a position of a faction: the name of the party in the council."),
    )
    decided_on = DutchDateField(
        _l("Date"),
        validators=[InputRequired(_l("Write the date, for example 2026-03-12."))],
        description=_l("The day of the council meeting or decision, for example 2026-03-12."),
        render_kw={"autocomplete": "off"},
    )
    reference = StringField(
        _l("Reference"),
        validators=[DataRequired(_l("Write the council's reference, for example 2026/014.")), max_length(60)],
        description=_l("The number the council's clerk (griffie) gave it, for example 2026/014."),
        render_kw={"spellcheck": "false"},
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Write a title.")), max_length(200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), max_length(10000)],
        description=_l(
            "In plain words: what was decided or said, and what it means for the neighbourhood. "
            "You can use Markdown: *italic*, **bold**, lists and links."
        ),
    )
    outcome = RadioField(
        _l("Outcome"), choices=enum_options(Outcome, LABELS), validators=[InputRequired(_l("Choose the outcome."))]
    )
    phase = SelectField(
        _l("Moment in the process"),
        validators=[Optional()],
        description=_l("For example the interim stop, when the council looks at the results so far."),
    )
    issues = NumbersField(
        _l("Issue numbers"),
        description=_l(
            "Numbers with commas, for example 12, 15. The number is at the end of the address of the issue page "
            "(…/issues/12). Leave empty when it is about the whole process."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    covenants = NumbersField(
        _l("Covenant numbers"),
        what=_l("a covenant number"),
        description=_l(
            "Numbers with commas. A covenant that commits municipal money or staff can only be signed once the "
            "council has approved it: record the council decision here with the covenant's number "
            "(…/covenants/3)."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    version = HiddenField()

    def __init__(self, *args, processes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.process_id.choices = options([("", _("Choose a process")), *((p.id, p.name) for p in processes)])
        self.phase.choices = options(
            [("", _("No particular moment")), *((info.key.value, phase_label(info.key)) for info in PHASES)]
        )
