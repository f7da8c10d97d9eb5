"""Celery workers (issue 4): runs executed in other processes, on other machines, with crash recovery."""
