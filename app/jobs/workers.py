"""RQ workers for runs that stop when the queue is empty (`flask jobs worker --burst`, the tests).

RQ's worker listens on a Redis channel for commands (stop a job, shut down) in a thread that wakes up
once a minute; when a burst run ends before that thread has subscribed, stopping it waits out the minute
(rq/rq#1613). A burst run takes no commands, so these workers do not listen for them.
"""

from __future__ import annotations

from rq import SimpleWorker, Worker


class _NoCommands:
    def subscribe(self) -> None:
        self.pubsub = None
        self.pubsub_thread = None


class BurstWorker(_NoCommands, Worker):
    """Forks a child per job, as the long-running worker does."""


class SimpleBurstWorker(_NoCommands, SimpleWorker):
    """Runs the jobs in its own process, one after the other (tests: the jobs see the test's app)."""
