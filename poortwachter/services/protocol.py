"""The tenant's protocol: installing the default and reacting to changes."""

from __future__ import annotations

from accounts.models import Tenant
from poortwachter.models import CaseTimeline, ProtocolStep
from poortwachter.protocol import DEFAULT_PROTOCOL


def protocol_install_default(*, tenant: Tenant) -> int:
    """Give ``tenant`` the default protocol; returns the number of steps added.

    Idempotent: steps whose code the tenant already has are left alone.
    """
    created = ProtocolStep.objects.bulk_create(
        [
            ProtocolStep(
                tenant=tenant,
                code=step.code,
                title=step.title,
                title_en=step.title_en,
                anchor=step.anchor,
                offset=step.offset,
                unit=step.unit,
                assignee_role=step.role,
                repeat_every_weeks=step.repeat_every_weeks,
                route=step.route,
                position=position * 10,
            )
            for position, step in enumerate(DEFAULT_PROTOCOL, start=1)
        ],
        ignore_conflicts=True,
    )
    return len(created)


def protocol_changed(*, tenant: Tenant) -> int:
    """A protocol step changed: refresh every open chain of ``tenant`` soon.

    Done tasks are never touched by the refresh; open ones follow the step.
    """
    return CaseTimeline.objects.filter(tenant=tenant, is_open=True).update(stale=True)
