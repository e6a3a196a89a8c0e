"""Moderation: reports, hiding and restoring, the public log, and the balance of the three Ps."""
