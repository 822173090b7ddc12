"""`manage.py seed_scale`: fictional data at the volumes of PRODUCT.md §6, written in bulk.

plan (volumes, marks, shared state) → people (trusts, boards, people) → cohorts (programmes,
cohorts, sessions) → enrolments (enrolments, history, attendance) → roles → pairs; writer
does the COPY/INSERTs, reset finds and removes exactly what seed_scale made.
"""
