"""Demo data for a development machine (`manage.py seed_demo`, which `make run` calls).

Installed only by the dev and test settings, never in production: it creates accounts with a
published password. It may import every app; no app imports it (tests/test_architecture.py).
"""
