"""The read-only JSON API under /api/v1 (open data: no e-mail addresses, no personal data)."""
