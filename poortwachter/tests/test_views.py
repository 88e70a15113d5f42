"""The deadlines page of a case and the user's task list."""

import datetime as dt

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.labels import MILESTONE_LABELS
from poortwachter.rules import ALL_MILESTONES
from poortwachter.services import deadlines_refresh_for_case

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def refreshed(world):
    with tenant_scope(world.tenant_a):
        for case in (world.team_case, world.a1_case, world.a3_case):
            deadlines_refresh_for_case(case=case, today=TODAY)
    return world


def test_every_milestone_has_a_translatable_label():
    assert {m.code for m in ALL_MILESTONES} == set(MILESTONE_LABELS)


def test_case_timeline_shows_deadlines_and_tasks(refreshed, login):
    w = refreshed
    page = login(w.user(Role.CASEMANAGER)).get(
        f"/t/tenant-a/dossiers/{w.a1_case.pk}/termijnen/"
    )
    assert page.status_code == 200
    assert "Probleemanalyse bedrijfsarts" in page.text
    assert "wo 11 Nov 2026" in page.text  # day 42 of a case from 1 Oct 2026


def test_case_timeline_is_404_outside_the_access_policy(refreshed, login):
    w = refreshed
    client = login(w.user(Role.LEIDINGGEVENDE))
    assert (
        client.get(f"/t/tenant-a/dossiers/{w.a1_case.pk}/termijnen/").status_code == 404
    )
    client = login(w.casemanager_b)
    assert (
        client.get(f"/t/tenant-b/dossiers/{w.a1_case.pk}/termijnen/").status_code == 404
    )


def test_case_timeline_in_english(refreshed, login):
    w = refreshed
    user = w.user(Role.CASEMANAGER)
    user.preferred_language = "en"
    user.save()
    page = login(user).get(f"/t/tenant-a/dossiers/{w.a1_case.pk}/termijnen/")
    assert "42nd-week report to UWV" in page.text


def test_timeline_bar_marks_milestones_and_today(refreshed, login):
    import re

    w = refreshed
    page = login(w.user(Role.CASEMANAGER)).get(
        f"/t/tenant-a/dossiers/{w.a1_case.pk}/termijnen/"
    )
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    # coordinates are plain numbers even in Dutch (no decimal comma)
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]
    assert len(xs) == 9
    assert xs == sorted(xs) or len(set(xs)) > 5
    assert 'class="marker overdue"' in svg  # the PA of 11 Nov is not done
    assert 'class="marker due"' in svg
    assert 'class="today"' in svg


def test_bedrijfsarts_lands_on_own_cases_with_next_physician_step(refreshed, login):
    w = refreshed
    client = login(w.user(Role.BEDRIJFSARTS))
    home = client.get("/t/tenant-a/")
    assert home.status_code == 302
    assert home["Location"] == "/t/tenant-a/mijn-dossiers/"
    page = client.get("/t/tenant-a/mijn-dossiers/")
    assert w.team_case.employee.display_name in page.text
    assert w.a3_case.employee.display_name in page.text
    assert w.a1_case.employee.display_name not in page.text
    assert "Probleemanalyse bedrijfsarts" in page.text  # the next physician step


def test_manager_sees_own_tasks_on_the_case_and_completes_one(refreshed, login):
    from poortwachter.models import Task, TaskStatus

    w = refreshed
    manager = w.user(Role.LEIDINGGEVENDE)
    with tenant_scope(w.tenant_a):
        own = Task.objects.filter(
            case=w.team_case, assignee=manager, status=TaskStatus.OPEN
        )
        others = Task.objects.filter(case=w.team_case, status=TaskStatus.OPEN).exclude(
            assignee=manager
        )
        assert own.exists() and others.exists()
        task = own.order_by("due_date").first()
        task_title = task.display_title
        other_titles = {t.display_title for t in others} - {
            t.display_title for t in own
        }
    client = login(manager)
    case_url = f"/t/tenant-a/dossiers/{w.team_case.pk}/"
    page = client.get(case_url).text
    section = page[page.index("Openstaande taken") : page.index("Advies van de")]
    assert task_title in section
    assert not any(title in section for title in other_titles)
    complete = f"/t/tenant-a/taken/{task.pk}/afronden/?next={case_url}"
    assert client.get(complete).status_code == 200
    response = client.post(
        f"/t/tenant-a/taken/{task.pk}/afronden/",
        {"note": "Gebeld, gaat goed.", "next": case_url},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url
    with tenant_scope(w.tenant_a):
        task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_task_action_refuses_to_return_to_another_site(refreshed, login):
    w = refreshed
    client = login(w.user(Role.CASEMANAGER))
    from poortwachter.models import Task

    with tenant_scope(w.tenant_a):
        task = Task.objects.filter(case=w.a1_case, status="open").first()
    response = client.post(
        f"/t/tenant-a/taken/{task.pk}/afronden/",
        {"note": "", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/t/tenant-a/taken/"


def test_case_page_query_count_does_not_grow_with_records(
    refreshed, login, django_assert_max_num_queries
):
    from cases.models import Intervention

    w = refreshed
    client = login(w.user(Role.CASEMANAGER))
    url = f"/t/tenant-a/dossiers/{w.a1_case.pk}/"
    client.get(url)
    # 41 with the verified authenticator that django-otp loads per request.
    with django_assert_max_num_queries(41) as few:
        client.get(url)
    with tenant_scope(w.tenant_a):
        for i in range(15):
            Intervention.objects.create(
                tenant=w.tenant_a,
                case=w.a1_case,
                kind="coaching",
                requested_on=TODAY,
                provider=f"Coach {i}",
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
