"""Uploaded datasets: streaming upload, CSV checks, Parquet copy, profile, preview."""
