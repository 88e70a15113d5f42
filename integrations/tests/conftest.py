"""API fixtures (``make_key``, ``api``) live in ``tests/fixtures.py``."""
