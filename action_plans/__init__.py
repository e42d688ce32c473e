"""Submission cycles: self-assessments, action plans, actions, evidence, PDF packs."""
