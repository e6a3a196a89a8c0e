"""The form of the export page: which process, and what goes into the bundle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired, StopValidation

from app.accounts.forms import MultiCheckboxField
from app.forms_common import Form, options

PART_LABELS = (
    ("booklet", _l("Booklet (PDF, A4)")),
    ("posters", _l("Posters of the chosen issues (PDF, A3)")),
    ("issues", _l("Issues")),
    ("votes", _l("Support and points (totals only)")),
    ("comments", _l("Comments")),
    ("agendas", _l("Agendas and activities")),
    ("covenants", _l("Covenants and signatures")),
    ("council", _l("Positions of the municipal council")),
)


def _at_least_one(_form, field) -> None:
    """Not DataRequired: that would mark every checkbox as required."""
    if not field.data:
        raise StopValidation(_l("Choose at least one part."))


class ExportForm(Form):
    process_slug = SelectField(
        _l("Process"),
        validators=[DataRequired(_l("Choose the process you want to export."))],
        validate_choice=False,  # checked in the view, with a message next to the field
    )
    include = MultiCheckboxField(
        _l("What goes into the bundle"),
        choices=options(PART_LABELS),
        validators=[_at_least_one],
        description=_l("Names only of people who chose to show their name; no e-mail addresses; votes only as totals."),
    )
