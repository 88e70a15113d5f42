"""The FML: six UWV rubrieken as data, entered as deviations from the norm by
the bedrijfsarts, read by the employer as a list of limitations."""

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from core.exceptions import ApplicationError
from poortwachter.fml import catalogue, fml_entries_clean, fml_summary
from poortwachter.models import Fml


def test_catalogue_has_the_six_uwv_rubrieken_with_a_norm_on_every_item():
    cat = catalogue()
    assert [r.code for r in cat.rubrieken] == ["I", "II", "III", "IV", "V", "VI"]
    assert [r.nl for r in cat.rubrieken] == [
        "Persoonlijk functioneren",
        "Sociaal functioneren",
        "Aanpassing aan fysieke omgevingseisen",
        "Dynamische handelingen",
        "Statische houdingen",
        "Werktijden",
    ]
    for item in cat.items.values():
        assert item.levels[0].code == 0, item.code
        assert item.nl and item.en, item.code
        codes = [lv.code for lv in item.levels]
        assert codes == list(range(len(codes))), item.code
        for level in item.levels:
            assert level.nl and level.en, (item.code, level.code)
    assert cat.items["IV.13"].nl == "Tillen"
    assert cat.items["VI.2"].nl == "Uren per dag"


def test_norm_only_entries_store_nothing():
    assert fml_entries_clean({"IV.13": {"levels": [0]}, "I.5": {"levels": []}}) == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"XX.1": {"levels": [1]}}, "Onbekend onderdeel"),
        ({"IV.13": {"levels": [9]}}, "IV.13 Tillen: kies een van"),
        ({"IV.13": {"levels": [1, 2]}}, "kies één mate"),
        ({"I.5": {"levels": [0, 2]}}, "'normaal' gaat niet samen"),
        ({"VI.2": {"levels": [3]}}, "licht deze beperking toe"),
        ({"IV.13": {"levels": [0], "note": "iets"}}, "kies eerst de mate"),
        ({"IV.13": {"levels": ["x"]}}, "kies een van"),
    ],
)
def test_bad_entries_name_the_item(raw, message):
    with pytest.raises(ApplicationError, match=message):
        fml_entries_clean(raw)


def test_summary_lists_only_deviations_per_rubriek():
    entries = fml_entries_clean(
        {
            "IV.13": {"levels": [2]},
            "I.8": {"levels": [3, 4], "note": "rustige werkplek"},
            "VI.2": {"levels": [3], "note": "opbouw in 6 weken"},
        }
    )
    summary = {r.code: r for r in fml_summary(entries)}
    assert len(summary) == 6
    assert summary["II"].limitations == ()
    (lifting,) = summary["IV"].limitations
    assert lifting.item == "Tillen"
    assert lifting.levels == ("Beperkt: ongeveer 5 kg (tot 50 keer per uur)",)
    (conditions,) = summary["I"].limitations
    assert len(conditions.levels) == 2
    assert conditions.note == "rustige werkplek"


def _post(**overrides):
    data = {"made_on": "2026-11-13", "remarks": ""}
    data.update(overrides)
    return data


def test_physician_records_an_fml_and_the_employer_reads_the_limitations(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Dynamische handelingen" in form.text
    # every single-choice item starts at the norm
    assert form.text.count('value="0" selected') >= 40
    response = client.post(
        url,
        _post(level_IV_13="2", level_V_2="2", note_V_2="afwisselen met staan"),
    )
    assert response.status_code == 302, response.text[:2000]
    with tenant_scope(world.tenant_a):
        fml = Fml.objects.get(case=world.team_case)
    assert set(fml.entries) == {"IV.13", "V.2"}

    page = login(world.user(Role.LEIDINGGEVENDE)).get(
        f"/t/tenant-a/dossiers/{world.team_case.pk}/"
    )
    assert "IV.13 Tillen" in page.text
    assert "Beperkt: ongeveer 5 kg" in page.text
    assert "afwisselen met staan" in page.text
    assert "Geen beperkingen in" in page.text  # rubrieken without deviations


def test_a_second_fml_starts_from_the_first(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/"
    assert client.post(url, _post(level_IV_13="3")).status_code == 302
    form = client.get(url).text
    start = form.index('name="level_IV_13"')
    select = form[start : form.index("</select>", start)]
    assert 'value="3" selected' in select
    assert "pas alleen aan wat veranderd is" in form


def test_missing_toelichting_is_a_form_error_and_nothing_is_saved(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/"
    response = client.post(url, _post(level_VI_2="3"))
    assert response.status_code == 200
    assert "VI.2 Uren per dag: licht deze beperking toe" in response.text
    response = client.post(url, _post(level_IV_13="7"))
    assert response.status_code == 200
    assert "errorlist" in response.text
    with tenant_scope(world.tenant_a):
        assert not Fml.objects.exists()


def test_only_physicians_record_an_fml(world, login):
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/"
    for role in ("leidinggevende", "hr", "regiehouder", "casemanager", "werknemer"):
        assert login(world.user(role)).get(url).status_code == 404, role
    assert login(world.user("casemanager_td")).get(url).status_code == 200
    other = f"/t/tenant-a/dossiers/{world.a1_case.pk}/fml/"
    assert login(world.user(Role.BEDRIJFSARTS)).get(other).status_code == 404


def test_fml_in_english(world, login):
    user = world.user(Role.BEDRIJFSARTS)
    user.preferred_language = "en"
    user.save()
    client = login(user)
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/"
    assert "Dynamic movements" in client.get(url).text
    client.post(url, _post(level_IV_13="1"))
    page = client.get(f"/t/tenant-a/dossiers/{world.team_case.pk}/").text
    assert "IV.13 Lifting" in page
    assert "Slightly limited: about 10 kg" in page
