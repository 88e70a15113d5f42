"""Existing tenants get the shipped routing rules (new tenants get them from
the post_save receiver in ``triage.signals``)."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED_ROUTING_DIR = Path(__file__).resolve().parent.parent / "data" / "routing"


def fill(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    RoutingPolicy = apps.get_model("triage", "RoutingPolicy")
    shipped = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SHIPPED_ROUTING_DIR.glob("*.json"))
    ]
    for tenant in Tenant.objects.all():
        for raw in shipped:
            if not RoutingPolicy.objects.filter(
                tenant=tenant, questionnaire_key=raw["questionnaire"]
            ).exists():
                RoutingPolicy.objects.create(
                    tenant=tenant, questionnaire_key=raw["questionnaire"], rules=raw
                )


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_routing"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
