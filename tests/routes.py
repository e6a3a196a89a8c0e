"""Walking the URL map: every route with example values for its arguments."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import IntegerConverter


def example_urls(app, method: str, values: dict | None = None):
    """(endpoint, url) for every rule that accepts `method`, arguments filled from `values` or dummies."""
    values = values or {}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if method not in rule.methods or rule.endpoint == "static":
                continue
            args = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                if name in values:
                    args[name] = values[name]
                elif isinstance(converter, IntegerConverter):  # werkzeug's, or the app's bounded one
                    args[name] = 1
                elif type(converter).__name__ == "AnyConverter":
                    args[name] = sorted(converter.items)[0]
                else:
                    args[name] = "x"
            urls.append((rule.endpoint, url_for(rule.endpoint, **args)))
    return sorted(urls)
