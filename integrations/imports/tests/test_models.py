"""The import's and the AFAS connector's tables are tenant-owned and fail
closed outside a tenant scope."""

import pytest
from django.apps import apps

from accounts.models import TenantOwned

MODELS = [
    *apps.get_app_config("imports").get_models(),
    *apps.get_app_config("afas").get_models(),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_is_tenant_owned_and_scoped(db, model):
    assert issubclass(model, TenantOwned)
    # django_scopes may only be imported by the modules listed in
    # tests/test_architecture.py, so the error is recognised by name.
    with pytest.raises(Exception) as raised:
        list(model.objects.all())
    assert type(raised.value).__name__ == "ScopeError"
