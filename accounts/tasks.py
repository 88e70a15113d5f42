"""Celery tasks of the accounts app."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(acks_late=True)
def sessions_clear_expired_task() -> int:
    """Delete expired login sessions (nightly); returns how many were removed.

    Idempotent: a second run finds nothing to delete.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
