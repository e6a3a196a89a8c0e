"""Accounts: registration, login, passwords, profile, organisations and memberships."""
