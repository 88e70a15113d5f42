"""Existing tenants get the default protocol's steps for the complex route
(a copy of those in ``poortwachter.protocol`` when this was written; new
tenants get them from ``protocol_install_default``)."""

from django.db import migrations
from django.db.models import Q

COMPLEX_STEPS = (
    # code, title, title_en, anchor, offset, unit, role, repeat, position
    (
        "complex_casusoverleg",
        "Complexe route: multidisciplinair casusoverleg",
        "Complex route: multidisciplinary case meeting",
        "first_sick_day",
        2,
        "weeks",
        "regiehouder",
        2,
        130,
    ),
    (
        "complex_consult_bedrijfsarts",
        "Complexe route: consult bedrijfsarts inplannen (vóór week 4)",
        "Complex route: schedule a company doctor consult (before week 4)",
        "first_sick_day",
        20,
        "calendar_days",
        "regiehouder",
        None,
        140,
    ),
    (
        "complex_arbeidsdeskundig_advies",
        "Complexe route: arbeidsdeskundig advies (vroegtijdig inzicht) in week 8",
        "Complex route: labour expert advice (early insight) in week 8",
        "first_sick_day",
        7,
        "weeks",
        "casemanager",
        None,
        150,
    ),
)


def fill(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    ProtocolStep = apps.get_model("poortwachter", "ProtocolStep")
    CaseTimeline = apps.get_model("poortwachter", "CaseTimeline")
    for tenant in Tenant.objects.all():
        ProtocolStep.objects.bulk_create(
            [
                ProtocolStep(
                    tenant=tenant,
                    code=code,
                    title=title,
                    title_en=title_en,
                    anchor=anchor,
                    offset=offset,
                    unit=unit,
                    assignee_role=role,
                    repeat_every_weeks=repeat,
                    route="complex",
                    position=position,
                )
                for (
                    code,
                    title,
                    title_en,
                    anchor,
                    offset,
                    unit,
                    role,
                    repeat,
                    position,
                ) in COMPLEX_STEPS
            ],
            ignore_conflicts=True,
        )
    # Chains already on the complex route pick the new steps up at the next
    # sweep.
    CaseTimeline.objects.filter(
        Q(case__route="complex") | Q(case__relapses__route="complex"), is_open=True
    ).update(stale=True)


class Migration(migrations.Migration):
    dependencies = [
        ("poortwachter", "0007_protocol_step_route"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
