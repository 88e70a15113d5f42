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
