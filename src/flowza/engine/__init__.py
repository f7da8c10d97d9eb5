"""The engine: validate a workflow, plan it, run its nodes with a cache, report events."""
