"""Background jobs: a queue on Redis (RQ) in production, the web process in the embedded default.

See the README ("Jobs") for why RQ, how to run the worker and the scheduler, and the cron alternative.
- `queue.py`: enqueue(func, *args, **kwargs) and enqueue_after_commit(...), for every other package;
- `runner.py`: how one job runs (an app context of its own, outside any request);
- `schedule.py`: the daily and weekly runs (SCHEDULE), claimed once per day, and tick();
- `embedded.py`: the scheduler thread of the web process; `cli.py`: `flask jobs …`; `workers.py`: burst workers;
- `housekeeping.py`: removing accounts never confirmed, and old records of runs.
"""

from __future__ import annotations


def register(app) -> None:
    from app.jobs import embedded, queue, runner

    runner.remember_process(app)
    queue.register(app)
    embedded.register(app)
