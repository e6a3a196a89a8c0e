"""Processes: a pilot in one neighbourhood, its phases and its process page."""
