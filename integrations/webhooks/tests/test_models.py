"""Every webhooks table is tenant-owned and refuses queries outside a scope
(tests/test_tenant_isolation.py lists apps by label; this app's is
``webhooks``)."""

import pytest
from django.apps import apps

from accounts.models import TenantOwned

MODELS = list(apps.get_app_config("webhooks").get_models())


def test_the_app_has_its_models():
    assert {m.__name__ for m in MODELS} == {
        "WebhookEndpoint",
        "WebhookEvent",
        "WebhookDelivery",
        "WebhookAttempt",
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_tenant_owned_and_scoped(db, model):
    assert issubclass(model, TenantOwned)
    with pytest.raises(Exception) as caught:
        list(model.objects.filter(pk=1))
    # django_scopes is imported only where tests/test_architecture.py allows
    assert type(caught.value).__name__ == "ScopeError"
