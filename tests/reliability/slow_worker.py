"""A real Celery worker process for the kill tests, with its work made slow
and observable from outside.

Run as ``python -m tests.reliability.slow_worker QUEUE JOURNAL [VISIBILITY]``
with the environment of the test (its database, its Redis). Before the worker
starts, the PDF renderer and the webhook HTTP client are wrapped: each call
appends ``start <pid>`` and, when it returns, ``done <pid>`` to ``JOURNAL``;
the first call ever recorded there (no ``start`` line yet) sleeps 60 s, so
the test can kill the process while it is busy: before rendering (mid-render)
and after the POST (the receiver has the event, its answer is not recorded).
Prefork children inherit the wrapping. ``VISIBILITY`` (seconds) shortens the
broker's visibility timeout, so a message left unacknowledged by a killed
worker is handed to the next worker soon instead of after an hour.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _journaled(function, journal: Path, *, sleep_after: bool = False):
    def wrapper(*args, **kwargs):
        first = not journal.exists() or "start" not in journal.read_text()
        with journal.open("a") as out:
            out.write(f"start {os.getpid()}\n")
        if first and not sleep_after:
            time.sleep(60)
        result = function(*args, **kwargs)
        if first and sleep_after:
            time.sleep(60)
        with journal.open("a") as out:
            out.write(f"done {os.getpid()}\n")
        return result

    return wrapper


def main() -> None:
    queue, journal = sys.argv[1], Path(sys.argv[2])
    visibility = int(sys.argv[3]) if len(sys.argv) > 3 else None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from config.celery import app
    from documents import rendering
    from integrations.webhooks import services as webhook_services

    rendering.html_to_pdf = _journaled(rendering.html_to_pdf, journal)
    webhook_services.client.post = _journaled(
        webhook_services.client.post, journal, sleep_after=True
    )
    if visibility is not None:
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "visibility_timeout": visibility,
        }
    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"reliability-{os.getpid()}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ]
    )


if __name__ == "__main__":
    main()
