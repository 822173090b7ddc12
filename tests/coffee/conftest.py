import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` — run what the block's transactions leave for after commit (the
    outbox's publishes, so eager tasks and the tasks they queue), as a real commit would;
    the test's own wrapping transaction never commits."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block
