"""Existing tenants get the default retention policy (new tenants get it from
the post_save receiver in ``privacy.signals``)."""

from django.db import migrations


def fill(apps, schema_editor):
    Tenant = apps.get_model("accounts", "Tenant")
    RetentionPolicy = apps.get_model("privacy", "RetentionPolicy")
    for tenant in Tenant.objects.all():
        if not RetentionPolicy.objects.filter(tenant=tenant).exists():
            RetentionPolicy.objects.create(tenant=tenant)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_retention_policy_runs_marks"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
