"""Celery: the beat schedule names real tasks, and a real worker runs them."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import sessions_clear_expired_task
from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_tasks_are_not_eager_in_tests():
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")


def _session(expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_clear_expired_sessions_removes_only_expired(db):
    old = _session(-dt.timedelta(days=1))
    fresh = _session(dt.timedelta(days=1))
    assert sessions_clear_expired_task() == 1
    assert not Session.objects.filter(session_key=old).exists()
    assert Session.objects.filter(session_key=fresh).exists()
    assert sessions_clear_expired_task() == 0


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_beat_task_over_redis():
    old = _session(-dt.timedelta(days=1))
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        result = sessions_clear_expired_task.apply_async(ignore_result=True)
        assert result.id
        deadline = timezone.now() + dt.timedelta(seconds=20)
        while Session.objects.filter(session_key=old).exists():
            assert timezone.now() < deadline, "the worker did not run the task"
            time.sleep(0.2)


def test_beat_uses_the_database_scheduler_with_the_schedule_from_code():
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "poortwachter.tasks.timelines_refresh_nightly_task",
        "poortwachter.tasks.timelines_refresh_stale_task",
        "poortwachter.tasks.tasks_overdue_sweep_task",
        "poortwachter.tasks.tasks_digest_task",
    } <= tasks
