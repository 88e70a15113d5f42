"""The tenant's protocol in the tenant admin."""

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import CaseTimeline, ProtocolStep


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    return client


def _step(**overrides):
    data = {
        "code": "extra_gesprek",
        "title": "Extra gesprek",
        "title_en": "Extra meeting",
        "anchor": "first_sick_day",
        "offset": "14",
        "unit": "calendar_days",
        "assignee_role": "regiehouder",
        "repeat_every_weeks": "",
        "is_active": "on",
        "position": "5",
    }
    data.update(overrides)
    return data


def test_tenant_admin_sees_the_default_protocol(world, admin_client):
    page = admin_client.get("/beheer/poortwachter/protocolstep/")
    assert page.status_code == 200
    assert "Wekelijks contact met de werknemer" in page.text


def test_adding_a_step_marks_open_timelines_for_refresh(world, admin_client):
    with tenant_scope(world.tenant_a):
        CaseTimeline.objects.create(
            tenant=world.tenant_a, case=world.a1_case, stale=False, is_open=True
        )
    response = admin_client.post("/beheer/poortwachter/protocolstep/add/", _step())
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert ProtocolStep.objects.filter(code="extra_gesprek").exists()
        assert CaseTimeline.objects.get(case=world.a1_case).stale
    with tenant_scope(world.tenant_b):
        assert not ProtocolStep.objects.filter(code="extra_gesprek").exists()


def test_duplicate_code_is_a_form_error(world, admin_client):
    response = admin_client.post(
        "/beheer/poortwachter/protocolstep/add/", _step(code="contact_wekelijks")
    )
    assert response.status_code == 200
    assert "bestaat al in uw protocol" in response.text


def test_repeat_of_zero_weeks_is_a_form_error(world, admin_client):
    response = admin_client.post(
        "/beheer/poortwachter/protocolstep/add/", _step(repeat_every_weeks="0")
    )
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_offset_beyond_two_years_is_a_form_error(world, admin_client):
    response = admin_client.post(
        "/beheer/poortwachter/protocolstep/add/", _step(offset="100000", unit="weeks")
    )
    assert response.status_code == 200
    assert "errorlist" in response.text
    with tenant_scope(world.tenant_a):
        assert not ProtocolStep.objects.filter(code="extra_gesprek").exists()
