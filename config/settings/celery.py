"""Celery: broker, time limits and the beat schedule (in code, reviewed)."""

from celery.schedules import crontab

from config.env import env_bool, env_str

CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "documents.*": {"queue": "documents"},
    "integrations.*": {"queue": "integrations"},
}
# `make demo` runs without a broker: tasks execute in-process. Never in tests.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True

# django-celery-beat: the entries below are written to the database when beat
# starts, so the schedule lives in code and its state in PostgreSQL.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "accounts-sessions-clear-expired": {
        "task": "accounts.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Safety net for refreshes whose enqueue failed (broker down).
    "poortwachter-timelines-refresh-stale": {
        "task": "poortwachter.tasks.timelines_refresh_stale_task",
        "schedule": crontab(minute="*/5"),
    },
    "poortwachter-timelines-refresh-nightly": {
        "task": "poortwachter.tasks.timelines_refresh_nightly_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "poortwachter-tasks-overdue-sweep": {
        "task": "poortwachter.tasks.tasks_overdue_sweep_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "triage-invitations-remind": {
        "task": "triage.tasks.invitations_remind_task",
        "schedule": crontab(minute=20),
    },
    # Safety net for notification mails whose task was lost (broker down).
    "notifications-sweep": {
        "task": "integrations.notifications.tasks.notifications_sweep_task",
        "schedule": crontab(minute="*/10"),
    },
    "poortwachter-tasks-digest": {
        "task": "poortwachter.tasks.tasks_digest_task",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
}
