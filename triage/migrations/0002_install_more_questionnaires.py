"""Give every existing tenant the shipped questionnaires it does not have yet
(werknemersvisie, intake naar werk, VAR werk en re-integratie were added after
the first tenants were made; a new tenant gets them from the post_save signal).

Uses historical models only; ``triage.engine`` is pure Python (no models), so
it may check the shipped files here. A tenant that already has a key (shipped
or its own) keeps it untouched, so running this twice adds nothing.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "questionnaires"


def install_missing(apps, schema_editor):
    from triage.engine import Definition

    Tenant = apps.get_model("accounts", "Tenant")
    Questionnaire = apps.get_model("triage", "Questionnaire")
    QuestionnaireVersion = apps.get_model("triage", "QuestionnaireVersion")
    shipped = []
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        shipped.append((Definition.parse(raw), raw))
    now = timezone.now()
    for tenant in Tenant.objects.order_by("pk"):
        have = set(
            Questionnaire.objects.filter(tenant=tenant).values_list("key", flat=True)
        )
        for definition, raw in shipped:
            if definition.key in have:
                continue
            questionnaire = Questionnaire.objects.create(
                tenant=tenant, key=definition.key, name=definition.title["nl"]
            )
            QuestionnaireVersion.objects.create(
                tenant=tenant,
                questionnaire=questionnaire,
                number=1,
                definition=raw,
                published_at=now,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_tenant_fk_without_index"),
        ("triage", "0001_questionnaires"),
    ]

    operations = [
        # Reversing leaves the questionnaires: they may have answers by then.
        migrations.RunPython(install_missing, migrations.RunPython.noop),
    ]
