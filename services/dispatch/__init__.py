"""Dispatch: triage and assignment. Turns each submitted report into an opened and assigned case."""
