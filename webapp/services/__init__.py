"""Use cases: the only place that combines the backend ports."""
