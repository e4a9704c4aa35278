import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.core.models import AuditEvent
from minqing.people.models import HardshipGrading, Household, Tag, Tagging


def codes_on(html):
    return set(re.findall(r'href="/people/households/(\d+)/"', html))


def test_the_hardship_filter_lists_only_that_level(client_as, db):
    html = client_as("office").get("/people/households/", {"hardship": "2"}).content.decode()
    shown = {int(pk) for pk in codes_on(html)}
    assert shown
    assert set(Household.objects.filter(pk__in=shown).values_list("hardship_level", flat=True)) == {2}


def test_the_tag_filter_finds_households_with_a_tagged_member(client_as, db):
    tagging = Tagging.objects.filter(
        member__isnull=False, household__region__code__startswith="431123"
    ).first()
    html = client_as("office").get("/people/households/", {"tag": tagging.tag}).content.decode()
    assert str(tagging.household_id) in codes_on(html)


def test_the_region_filter_narrows_to_a_village(client_as, db):
    household = Household.objects.filter(region__code__startswith="431123").last()
    village = household.region.parent
    response = client_as("office").get("/people/households/", {"region": village.code})
    count = int(re.search(r'id="result-count">(\d+)', response.content.decode()).group(1))
    assert count == Household.objects.filter(region__parent=village).count()


def test_a_filter_that_is_not_a_region_code_shows_nothing_rather_than_everything(client_as, db):
    html = client_as("office").get("/people/households/", {"region": "'; drop table"}).content.decode()
    assert codes_on(html) == set()


def test_the_list_uses_the_same_number_of_queries_for_a_county_and_a_village(client_as, db):
    counts = {}
    for role in ("office", "village"):
        client = client_as(role)
        client.get("/people/households/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/people/households/").status_code == 200
        counts[role] = len(captured)
    assert counts["office"] == counts["village"]


def test_the_detail_page_uses_a_fixed_number_of_queries(client_as, db):
    client = client_as("office")
    small = Household.objects.filter(region__code__startswith="431123", size=1).first()
    large = Household.objects.filter(region__code__startswith="431123", size__gte=5).first()
    counts = []
    for household in (small, large):
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/people/households/{household.pk}/")
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_viewing_a_household_is_audited(client_as, db):
    household = Household.objects.filter(region__code__startswith="431123").first()
    client_as("leader").get(f"/people/households/{household.pk}/")
    event = AuditEvent.objects.filter(action="household.view").latest("id")
    assert (event.username, event.object_id) == ("leader", str(household.pk))


def test_the_office_regrades_a_household_and_the_history_keeps_both(client_as, db):
    household = Household.objects.filter(region__code__startswith="431123", hardship_level=0).first()
    response = client_as("office").post(
        f"/people/households/{household.pk}/regrade/",
        {"level": 3, "graded_on": "2026-03-08", "reason": "因病致贫，入户核实"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.hardship_level == 3
    grading = HardshipGrading.objects.filter(household=household).latest("id")
    assert (grading.previous_level, grading.level, grading.reason) == (0, 3, "因病致贫，入户核实")
    page = client_as("office").get(f"/people/households/{household.pk}/").content.decode()
    assert "2026年3月8日" in page
    event = AuditEvent.objects.filter(action="household.regrade").latest("id")
    assert event.detail["to"] == 3 and event.username == "office"


def test_a_regrade_without_a_reason_changes_nothing(client_as, db):
    household = Household.objects.filter(region__code__startswith="431123", hardship_level=0).first()
    before = HardshipGrading.objects.count()
    client_as("office").post(
        f"/people/households/{household.pk}/regrade/", {"level": 2, "graded_on": "2026-03-08"}
    )
    household.refresh_from_db()
    assert household.hardship_level == 0 and HardshipGrading.objects.count() == before


def test_a_phone_sized_page_has_a_viewport_and_labelled_cells(client_as, db):
    html = client_as("office").get("/people/households/").content.decode()
    assert 'name="viewport"' in html and "data-label=" in html


def test_tags_show_in_chinese_by_default(client_as, db):
    tagging = Tagging.objects.filter(household__region__code__startswith="431123", tag=Tag.DIBAO).first()
    html = client_as("office").get(f"/people/households/{tagging.household_id}/").content.decode()
    assert "低保户" in html


def test_the_list_names_a_group_with_its_village(client_as, db):
    html = client_as("office").get("/people/households/").content.decode()
    shown = Household.objects.select_related("region__parent").get(pk=int(sorted(codes_on(html))[0]))
    assert shown.region.level == shown.region.Level.GROUP  # demo households live in groups
    assert f"{shown.region.parent.name}{shown.region.name}</td>" in html
