"""Property-based API fuzzing with schemathesis against our own OpenAPI
schema, in process (WSGI) with a real database: for every operation, valid
and invalid input never gives a 500, and every answer matches the schema
(status code, content type, body). Bounded: ``FUZZ_EXAMPLES`` examples per
operation (``HERVAT_FUZZ_EXAMPLES`` raises it for a longer run)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application

FUZZ_EXAMPLES = int(os.environ.get("HERVAT_FUZZ_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


# The API key of the running test, handed to schemathesis through its auth
# hook, so it knows which header carries the credentials (and when a
# generated case leaves them out on purpose).
_current_key: dict[str, str] = {}


@schemathesis.auth(refresh_interval=None)
class _ApiKeyAuth:
    def get(self, case: schemathesis.Case, context: object) -> str:
        return _current_key.get("secret", "")

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def key(world, make_key):
    _current_key["secret"] = make_key()
    yield
    _current_key.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django closes the database connection when a request finishes; its own
    test client switches that off, and so must a WSGI call in a test, or the
    test's transaction would be gone after the first request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_matches_the_schema(case, key):
    response = case.call()
    if (case.headers or {}).get("Authorization") == f"Bearer {_current_key['secret']}":
        # The key is real: a 401 here would mean the fuzzing never got past
        # the front door and tested nothing.
        assert response.status_code != 401
    excluded = []
    if _is_business_rule(response):
        # Schema-valid input can still break a rule of the domain (a first
        # sick day before the employment started): a 400 of that type is
        # the right answer, not a schema-valid request wrongly refused.
        excluded.append(positive_data_acceptance)
    case.validate_response(response, excluded_checks=excluded)


def _is_business_rule(response) -> bool:
    if response.status_code != 400:
        return False
    try:
        return response.json().get("type") == "urn:hervat:problem:business-rule"
    except ValueError:
        return False
