"""Celery: broker, time limits and the beat schedule (in code, reviewed)."""

from celery.schedules import crontab

from config.env import env_bool, env_str

CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
)
CELERY_RESULT_BACKEND = None
# A broker that hangs (rather than refusing) would otherwise block a publish,
# and the request that made it, without end. Publishing fails within seconds
# instead: one socket timeout, no publish retry (redis-py itself reconnects a
# pooled connection that a restarted Redis dropped; measured: a retry made a
# hung broker cost 9 s instead of 3), and core.enqueue stops trying for a
# while; the work is recoverable from the database
# (docs/security/reliability.md). The read timeout stays above kombu's 1 s
# BRPOP poll.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 3}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "documents.*": {"queue": "documents"},
    # The UWV package is PDF work, not a call to another system. Listed
    # before "integrations.*": the first matching pattern wins.
    "integrations.uwv.tasks.*": {"queue": "documents"},
    "integrations.*": {"queue": "integrations"},
    # Long aggregates over whole employers: kept off the default queue, where
    # they would hold up timeline refreshes.
    "analytics.*": {"queue": "statistics"},
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
    "integrations-idempotency-purge": {
        "task": "integrations.tasks.idempotency_records_purge_task",
        "schedule": crontab(minute=40),
    },
    # Safety net for triage questionnaires whose task was lost (broker down).
    "triage-invitations-sweep": {
        "task": "triage.tasks.invitations_sweep_task",
        "schedule": crontab(minute="*/10"),
    },
    "triage-invitations-remind": {
        "task": "triage.tasks.invitations_remind_task",
        "schedule": crontab(minute=20),
    },
    # Uploaded import files hold BSNs: those of runs never carried out go.
    "imports-files-purge": {
        "task": "integrations.imports.tasks.import_files_purge_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # Does nothing unless AFAS_ENABLED.
    "afas-employees-sync": {
        "task": "integrations.afas.tasks.afas_sync_all_task",
        "schedule": crontab(hour=4, minute=10),
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
    # The one mechanism that sends webhook deliveries and their retries.
    "webhooks-deliveries-sweep": {
        "task": "integrations.webhooks.tasks.deliveries_sweep_task",
        "schedule": crontab(minute="*"),
    },
    "webhooks-task-overdue-events": {
        "task": "integrations.webhooks.tasks.task_overdue_events_task",
        "schedule": crontab(minute=5),
    },
    "webhooks-events-prune": {
        "task": "integrations.webhooks.tasks.events_prune_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # Snapshots of the closed months, quarters and year that a correction
    # deleted or that are new (docs/statistics.md).
    "analytics-statistics-refresh": {
        "task": "analytics.tasks.statistics_refresh_nightly_task",
        "schedule": crontab(hour=4, minute=40),
    },
    # Closed cases past their retention periods (docs/security/retention.md).
    "privacy-retention-run": {
        "task": "privacy.tasks.retention_run_nightly_task",
        "schedule": crontab(hour=1, minute=30),
    },
}
