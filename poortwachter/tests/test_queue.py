"""The daily task queue: buckets, filters, search, and inline HTMX actions."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import Task, TaskStatus

QUEUE = "/t/tenant-a/taken/"


def _task(
    world, case, key, days, *, assignee=None, source="manual", role="casemanager"
):
    today = timezone.localdate()
    due = today + dt.timedelta(days=days)
    return Task.objects.create(
        tenant=world.tenant_a,
        case=case,
        source=source,
        key=key,
        title=f"Taak {key}",
        assignee_role=role,
        assignee=assignee,
        due_date=due,
        plan_by=due,
    )


@pytest.fixture
def queue(world):
    me = world.user(Role.CASEMANAGER)
    with tenant_scope(world.tenant_a):
        tasks = {
            "late1": _task(world, world.a1_case, "late1", -3, assignee=me),
            "late2": _task(world, world.a2_case, "late2", -1, assignee=me),
            "today": _task(world, world.a1_case, "today", 0, assignee=me),
            "week": _task(world, world.team_case, "week", 4, assignee=me),
            "later": _task(world, world.a2_case, "later", 30, assignee=me),
            "other": _task(
                world, world.a1_case, "other", -2, assignee=world.user(Role.REGIEHOUDER)
            ),
            "nobody": _task(world, world.a2_case, "nobody", -2),
            "hidden": _task(world, world.a3_case, "hidden", -2, assignee=me),
        }
    return tasks


def _counts(html):
    import re

    return {
        bucket: int(count)
        for bucket, count in re.findall(r'data-bucket="(\w+)">(\d+)<', html)
    }


def test_buckets_count_my_open_tasks_on_visible_cases(world, queue, login):
    page = login(world.user(Role.CASEMANAGER)).get(QUEUE)
    assert page.status_code == 200
    # a3 is not an employer of this casemanager: "hidden" is not counted
    assert _counts(page.text) == {"overdue": 2, "today": 1, "week": 1, "later": 1}
    assert "Taak late1" in page.text and "Taak late2" in page.text
    assert "Taak hidden" not in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("uitvoerder=all", {"late1", "late2", "other", "nobody"}),
        ("uitvoerder=none", {"nobody"}),
        ("soort=late2", {"late2"}),
        ("zoek=Eerstema", {"late1"}),  # the a1 employee's surname
    ],
)
def test_filters_and_search(world, queue, login, query, expected):
    page = login(world.user(Role.CASEMANAGER)).get(f"{QUEUE}?bak=overdue&{query}")
    shown = {key for key in queue if f"Taak {key}<" in page.text}
    assert shown == expected


def test_search_by_personnel_number(world, queue, login):
    number = world.a2_case.employee.personnel_number
    page = login(world.user(Role.CASEMANAGER)).get(f"{QUEUE}?bak=later&zoek={number}")
    assert "Taak later" in page.text


def test_employer_filter(world, queue, login):
    page = login(world.user(Role.CASEMANAGER)).get(
        f"{QUEUE}?bak=overdue&werkgever={world.employer_a2.pk}"
    )
    assert "Taak late2" in page.text and "Taak late1" not in page.text


def _htmx(client, url, data=None, current=QUEUE):
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current}"}
    if data is None:
        return client.get(url, headers=headers)
    return client.post(url, data, headers=headers)


def test_complete_inline_removes_the_row_and_updates_counts(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    task = queue["late1"]
    url = f"{QUEUE}{task.pk}/afronden/"
    form = _htmx(client, url)
    assert form.status_code == 200
    assert "<form" in form.text and "<html" not in form.text
    done = _htmx(client, url, {"note": "Gebeld, afspraak gemaakt."})
    assert done.status_code == 200
    assert f'id="task-{task.pk}"' not in done.text
    assert 'hx-swap-oob="true"' in done.text
    assert _counts(done.text)["overdue"] == 1
    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.note == "Gebeld, afspraak gemaakt."


def test_snooze_moves_the_task_to_a_later_bucket(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    task = queue["late2"]
    until = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = _htmx(
        client,
        f"{QUEUE}{task.pk}/uitstellen/",
        {"until": until, "reason": "Met vakantie"},
    )
    assert _counts(response.text) == {"overdue": 1, "today": 1, "week": 2, "later": 1}
    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
    assert task.snoozed_until.isoformat() == until
    assert task.due_date < timezone.localdate()  # the due date itself stays


def test_snooze_needs_a_reason_and_a_future_date(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    url = f"{QUEUE}{queue['late2'].pk}/uitstellen/"
    today = timezone.localdate().isoformat()
    response = _htmx(client, url, {"until": today, "reason": "x"})
    assert "Kies een datum na vandaag" in response.text
    response = _htmx(client, url, {"until": "2026-12-01", "reason": ""})
    assert "errorlist" in response.text


def test_legal_task_cannot_be_snoozed_past_its_legal_date(world, login):
    me = world.user(Role.CASEMANAGER)
    with tenant_scope(world.tenant_a):
        task = _task(
            world, world.a1_case, "probleemanalyse", 2, assignee=me, source="legal"
        )
    until = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = _htmx(
        login(me), f"{QUEUE}{task.pk}/uitstellen/", {"until": until, "reason": "later"}
    )
    assert "niet voorbij de uiterste datum" in response.text
    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
    assert task.snoozed_until is None


def test_reassign_hands_the_task_over(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    task = queue["late1"]
    regiehouder = world.user(Role.REGIEHOUDER)
    response = _htmx(
        client, f"{QUEUE}{task.pk}/toewijzen/", {"assignee": regiehouder.pk}
    )
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' not in response.text  # no longer "mine"
    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
    assert task.assignee == regiehouder


def test_reassign_to_someone_without_access_is_refused(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    task = queue["late1"]  # a1 case; HR of a1 may see it, the bedrijfsarts not
    arts = world.user(Role.BEDRIJFSARTS)
    response = _htmx(client, f"{QUEUE}{task.pk}/toewijzen/", {"assignee": arts.pk})
    assert "geen toegang tot dit dossier" in response.text


def test_manager_cannot_reassign_and_other_tenants_get_404(world, queue, login):
    task = queue["week"]  # on the manager's team case
    manager = login(world.user(Role.LEIDINGGEVENDE))
    assert manager.get(f"{QUEUE}{task.pk}/toewijzen/").status_code == 404
    other = login(world.casemanager_b)
    assert other.get(f"/t/tenant-b/taken/{task.pk}/afronden/").status_code == 404


def test_actions_work_without_javascript(world, queue, login):
    client = login(world.user(Role.CASEMANAGER))
    task = queue["today"]
    page = client.get(f"{QUEUE}{task.pk}/afronden/")
    assert "<html" in page.text
    response = client.post(f"{QUEUE}{task.pk}/afronden/", {"note": ""})
    assert response.status_code == 302


def test_queue_query_count_does_not_grow_with_tasks(
    world, queue, login, django_assert_max_num_queries
):
    client = login(world.user(Role.CASEMANAGER))
    client.get(QUEUE)
    with django_assert_max_num_queries(20) as few:
        client.get(f"{QUEUE}?bak=overdue&uitvoerder=all")
    me = world.user(Role.CASEMANAGER)
    with tenant_scope(world.tenant_a):
        for n in range(40):
            _task(world, world.a2_case, f"bulk{n}", -5, assignee=me)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"{QUEUE}?bak=overdue&uitvoerder=all")
    assert "Pagina 1 van 2" in page.text
