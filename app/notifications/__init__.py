"""Notifications: what happened (events), who hears of it, the in-site list, mail and digests, preferences.

One place records events (`events.record`, in the transaction of the change itself), one place decides who is
told (`audience`), and delivery (in the site at once; by mail at once or in a digest) respects visibility and
each person's choices, checked again when a mail goes out.
"""
