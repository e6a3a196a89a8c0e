"""Mijn pagina ("my page"): a signed-in person's own place.

Their issues and where each stands, the issues they support, follow and gave points to, their reactions
and the replies to them, their working groups, the covenants waiting for their signature, their
notifications and mail choices: each in a fixed number of queries, however much there is.
"""
