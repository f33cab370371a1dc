"""Scoring: assessment of grid workers and grids per month from the case events (考核)."""
