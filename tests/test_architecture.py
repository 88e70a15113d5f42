"""Structural rules that review alone would miss."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = (
    "accounts",
    "cases",
    "core",
    "config",
    "poortwachter",
    "triage",
    "documents",
    "integrations",
    "privacy",
)

# The only modules that may disable tenant scoping (accounts.scoping.all_tenants)
# or touch django_scopes directly, and why.
ALL_TENANTS_CALLERS = {
    "accounts/scoping.py": "defines the escape hatch",
    "accounts/selectors.py": "a user's memberships across tenants",
    "accounts/admin.py": "platform admin; shared accounts",
    "accounts/management/commands/migrate.py": "migrations touch every tenant",
    "accounts/tests/test_row_level_security.py": "what platform work sees",
    "triage/tests/test_migrations.py": "runs a data migration as migrate does",
    "poortwachter/management/commands/poortwachter_timeline.py": "case id lookup",
    "integrations/selectors.py": "an API key names its own tenant",
    "accounts/tests/test_encryption.py": "reads raw columns of every tenant",
}
DJANGO_SCOPES_IMPORTERS = {
    "accounts/scoping.py",
    "accounts/models.py",
    "cases/models.py",
}


def _python_files():
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_only_listed_modules_disable_tenant_scoping():
    offenders = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text()
        if "all_tenants(" in text and rel not in ALL_TENANTS_CALLERS:
            offenders.append(rel)
    assert offenders == [], "add a reason to ALL_TENANTS_CALLERS or use a scope"


def test_only_listed_modules_import_django_scopes():
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in _python_files()
        if any(name.startswith("django_scopes") for name in _imports(path))
        and path.relative_to(ROOT).as_posix() not in DJANGO_SCOPES_IMPORTERS
    ]
    assert offenders == []


def test_management_commands_only_enter_explicit_scopes():
    for path in ROOT.glob("*/management/commands/*.py"):
        assert "scopes_disabled" not in path.read_text(), path


def test_views_do_not_query_tenant_models_directly():
    """Views go through selectors and the access policy, never Model.objects."""
    offenders = []
    for path in ROOT.glob("*/views.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_config_holds_only_settings_and_wiring():
    allowed = {"__init__.py", "env.py", "celery.py", "urls.py", "wsgi.py", "asgi.py"}
    names = {p.name for p in (ROOT / "config").glob("*.py")}
    assert names <= allowed


def test_rules_package_imports_only_stdlib_and_holidays():
    import sys

    allowed_third_party = {"holidays"}
    for path in (ROOT / "poortwachter" / "rules").rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in {"__future__", "poortwachter"}:
                assert name.startswith(("__future__", "poortwachter.rules")), (
                    f"{path.name} imports {name}"
                )
                continue
            assert top in sys.stdlib_module_names or top in allowed_third_party, (
                f"{path.name} imports {name}"
            )


@pytest.mark.parametrize("module", ["engine.py", "routing.py"])
def test_questionnaire_engine_and_routing_are_pure_python(module):
    """Questionnaires and routing rules are data; the code that checks and
    applies them needs no Django (routing may use the engine)."""
    import sys

    for name in _imports(ROOT / "triage" / module):
        top = name.split(".")[0]
        assert (
            top == "__future__"
            or top in sys.stdlib_module_names
            or name.startswith("triage.engine")
        ), f"{module} imports {name}"


# --- medical data: one logged read path -------------------------------------------

# Modules that may name a medical model or follow the ``medical`` relation,
# and why. Everything else reads medical data only through
# ``poortwachter.selectors.medical_record_get``, which logs the read.
MEDICAL_ACCESS = {
    "poortwachter/models.py": "defines ConsultMedical and ProbleemanalyseMedical",
    "triage/models.py": "defines ResponseMedical",
    "poortwachter/selectors.py": "medical_record_get: the one logged read path",
    "poortwachter/services/physician.py": "writes the bedrijfsarts' records",
    "triage/services.py": (
        "writes the employee's answers; shows the employee their own draft "
        "(response_answers); routes on submit without a person reading "
        "(only rule ids are kept, see _stored_reasons)"
    ),
    "triage/public.py": "the employee fills in their own questionnaire",
    "accounts/audit.py": "names the medical models to redact them",
    "privacy/selectors.py": "asks whether medical rows exist, never their content",
    "privacy/services/export.py": (
        "finds medical records by id; their content is read through the "
        "logged getters (consult_medical_get, ...)"
    ),
    "privacy/services/retention.py": (
        "counts and deletes medical rows whose period has passed; never reads "
        "their content"
    ),
}
MEDICAL_CLASS_NAMES = {"ConsultMedical", "ProbleemanalyseMedical", "ResponseMedical"}
# ``q.medical``, ``question.medical`` and ``reason.medical`` are the
# questionnaire's per-question flag, not the relation to a medical model.
_FLAG_HOLDERS = {"q", "question", "r", "self"}
_QUERY_METHODS = {
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "values",
    "values_list",
    "filter",
    "exclude",
    "get",
    "annotate",
    "order_by",
}


def _touches_medical(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in MEDICAL_CLASS_NAMES:
                lines.append(node.lineno)
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "medical"
            and not (
                isinstance(node.value, ast.Subscript)
                or (isinstance(node.value, ast.Name) and node.value.id in _FLAG_HOLDERS)
            )
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else None
            name = func.id if isinstance(func, ast.Name) else None
            strings = [
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if name in {"getattr", "hasattr"} and "medical" in strings:
                lines.append(node.lineno)
            if method in _QUERY_METHODS:
                # dict.get("medical") is a flag; QuerySet.get takes keywords.
                lookups = [kw.arg or "" for kw in node.keywords]
                if method != "get":
                    lookups += strings
                if any(
                    part == "medical"
                    for lookup in lookups
                    for part in lookup.split("__")
                ):
                    lines.append(node.lineno)
    return lines


def test_medical_data_is_read_only_through_the_logged_path():
    offenders = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{rel}" or rel in MEDICAL_ACCESS:
            continue
        offenders += [
            f"{rel}:{line}" for line in _touches_medical(ast.parse(path.read_text()))
        ]
    assert offenders == [], (
        "read medical data through poortwachter.selectors.medical_record_get "
        "(it logs the read), or add the module to MEDICAL_ACCESS with a reason"
    )


def test_templates_never_follow_the_medical_relation():
    import re

    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"\.medical\b", path.read_text())
    ]
    assert offenders == []


def test_the_check_finds_a_direct_read():
    """The rule above would catch the ways a view could bypass the log."""
    sources = [
        "ConsultMedical.objects.get(pk=1)",
        "consult.medical.notes",
        "Consult.objects.select_related('medical')",
        "Response.objects.filter(medical__answers__contains='x')",
        "getattr(response, 'medical', None)",
    ]
    for source in sources:
        assert _touches_medical(ast.parse(source)), source
    assert not _touches_medical(ast.parse("[q.medical for q in questions]"))


def test_every_medical_model_is_known_and_has_a_logged_read_path():
    from django.apps import apps

    from accounts.audit import MEDICAL_MODELS
    from poortwachter.selectors import MEDICAL_RECORD_MODELS

    # A medical model lives apart, named ...Medical (DESIGN.md §4), and is
    # reached from its record through the ``medical`` relation.
    found = {
        model._meta.label_lower
        for model in apps.get_models()
        if model.__name__.endswith("Medical")
    }
    assert found == set(MEDICAL_MODELS) == set(MEDICAL_RECORD_MODELS.values())
    assert {apps.get_model(label).__name__ for label in found} == MEDICAL_CLASS_NAMES
    for label in found:
        relation = apps.get_model(label)._meta.get_field(
            next(
                f.name
                for f in apps.get_model(label)._meta.concrete_fields
                if f.one_to_one
            )
        )
        assert relation.remote_field.related_name == "medical", label


def test_the_access_log_record_types_match_the_medical_models():
    from poortwachter.models import MedicalRecordType
    from poortwachter.selectors import MEDICAL_RECORD_MODELS

    assert set(MEDICAL_RECORD_MODELS) == set(MedicalRecordType.values)
