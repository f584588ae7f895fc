"""Scripts that print speed and quality figures (run from the repository root: `python -m benchmarks.NAME`)."""
