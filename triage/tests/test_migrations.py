"""The data migration that gives existing tenants the newer shipped
questionnaires, run with historical models as ``migrate`` would."""

import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from accounts.scoping import all_tenants, tenant_scope
from accounts.tests.factories import TenantFactory
from triage.models import Questionnaire

migration = importlib.import_module(
    "triage.migrations.0002_install_more_questionnaires"
)
NEW = {"werknemersvisie", "intake_naar_werk", "var_werk_reintegratie"}


def _run():
    historical = MigrationLoader(connection).project_state().apps
    with all_tenants("the migrate command runs every migration like this"):
        migration.install_missing(historical, None)


def _questionnaires(tenant):
    with tenant_scope(tenant):
        return {
            q.key: (q.name, q.versions.count(), q.versions.get(number=1).published_at)
            for q in Questionnaire.objects.all()
        }


def test_existing_tenants_get_the_missing_questionnaires_once(db):
    old, other = TenantFactory(slug="oud"), TenantFactory(slug="ander")
    with tenant_scope(old):
        # As a tenant made before the new questionnaires shipped, except that
        # it already made its own "werknemersvisie".
        Questionnaire.objects.filter(key__in=NEW).exclude(
            key="werknemersvisie"
        ).delete()
        Questionnaire.objects.filter(key="werknemersvisie").update(name="Eigen visie")
    other_before = _questionnaires(other)

    _run()
    after = _questionnaires(old)
    _run()

    assert set(after) == {"triage_ziekmelding", *NEW}
    assert after["werknemersvisie"][0] == "Eigen visie"  # its own stays as it was
    assert after["intake_naar_werk"][:2] == ("Intake naar werk", 1)
    assert after["var_werk_reintegratie"][2] is not None  # published
    assert _questionnaires(old) == after  # a second run adds nothing
    assert _questionnaires(other) == other_before


def test_reversing_the_migration_removes_nothing():
    (operation,) = migration.Migration.operations
    assert operation.reversible
    assert operation.reverse_code is operation.noop
