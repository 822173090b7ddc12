"""Background work that survives faults: the transactional outbox and the claim helper.

At the bottom of the dependency graph: it imports Django, Celery and `config`, nothing else
of Tandem's, and every app may import it.

- `outbox.services`: tasks are recorded in the caller's transaction and published after
  commit; a beat-scheduled sweeper publishes whatever a broker outage left behind.
- `outbox.claims`: how an id-in task decides, under a row lock, whether this run does the work.
"""
