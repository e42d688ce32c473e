"""Peer review: reviewer pool, conflicts, assignments, scored reviews, moderated feedback."""
