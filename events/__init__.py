"""Signatory events: registrations, waitlists, calendar feeds."""
