"""Who may read notifications and choose how to hear of them (gathered by app/policy.py).

Everyone signed in has their own list and choices; nobody reads another's (the services only ever take
the signed-in person's own notifications).
"""

from __future__ import annotations

from app.predicates import Predicate, signed_in

rules: dict[str, Predicate] = {}

rules["notifications.read"] = signed_in
rules["notifications.preferences"] = signed_in
