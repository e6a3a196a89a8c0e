"""Who may see "Mijn pagina" (gathered by app/policy.py): everyone signed in, and only their own.

The services only ever take the signed-in person; no id from the request chooses whose page it is.
"""

from __future__ import annotations

from app.predicates import Predicate, signed_in

rules: dict[str, Predicate] = {}

rules["mine.view"] = signed_in
