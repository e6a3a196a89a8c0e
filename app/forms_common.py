"""Helpers shared by the domains' forms."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """Choices for a SelectField, RadioField or checkbox group from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]
