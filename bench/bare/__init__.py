"""The bench's reference: a bare Django project, no apps, no middleware, one view (see bench/run.py)."""
