"""The preferences form: per topic how to hear of it by mail, and the language of the mails."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from app.forms_common import Form, options
from app.notifications.models import Delivery

DELIVERY_LABELS = {
    Delivery.INSTANT: _l("At once, by e-mail"),
    Delivery.DAILY: _l("Once a day, in one e-mail"),
    Delivery.WEEKLY: _l("Once a week, in one e-mail"),
    Delivery.NONE: _l("No e-mail (you still see it on this website)"),
}
# A morning topic (kinds.Topic.morning) comes as a mail of its own, not in the daily overview.
MORNING_LABEL = _l("Every morning, a separate e-mail")


def delivery_label(topic, delivery: Delivery):
    """How mail of this topic comes, in words (lazy): the morning topics' daily mail is a separate one."""
    if topic.morning and delivery == Delivery.DAILY:
        return MORNING_LABEL
    return DELIVERY_LABELS[delivery]


def field_name(topic_key: str) -> str:
    return f"topic_{topic_key}"


class PreferencesForm(Form):
    language = RadioField(
        _l("Language of the website and your e-mails"),
        validators=[InputRequired()],
    )


def preferences_form(topics, choices: dict, language: str, **kwargs) -> PreferencesForm:
    """The form for these topics (those the person may choose), filled with their current choices."""

    class TopicsForm(PreferencesForm):
        pass

    for topic in topics:
        setattr(
            TopicsForm,
            field_name(topic.key),
            RadioField(
                topic.label,
                description=topic.hint,
                choices=options((d.value, delivery_label(topic, d)) for d in topic.deliveries),
                validators=[InputRequired()],
            ),
        )
    data = {field_name(key): value.value for key, value in choices.items()}
    form = TopicsForm(data={**data, "language": language}, **kwargs)
    form.language.choices = options(current_app.config["LANGUAGES"].items())
    return form
