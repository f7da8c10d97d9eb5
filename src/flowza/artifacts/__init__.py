"""The artifact store: where node outputs (engine cache entries) are shared between machines."""
