"""The household page names its paired cadres (结对干部) and its latest visits, as far as the
viewer sees them, and shows the household's note (the import's 备注)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Visit
from minqing.org.models import Cadre
from minqing.people.models import Household
from minqing.programs.models import Pairing


@pytest.fixture
def paired(db):
    """A running pairing of the demo's cadre with a household of 双牌县."""
    return (
        Pairing.objects.filter(cadre__account__username="cadre", household__isnull=False, end__isnull=True)
        .select_related("household", "campaign", "cadre__account")
        .order_by("pk")
        .first()
    )


def _visit(pairing, *, cadre=None, day, content):
    return Visit.objects.create(
        campaign=pairing.campaign,
        cadre=cadre or pairing.cadre,
        date=day,
        form="home_visit",
        household=pairing.household,
        region=pairing.household.region,
        content=content,
    )


def _unpaired() -> Household:
    return (
        Household.objects.filter(region__code__startswith="431123", pairings__isnull=True)
        .exclude(members__pairings__isnull=False)
        .order_by("pk")
        .first()
    )


def _page(client, household) -> str:
    response = client.get(f"/people/households/{household.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_household_page_names_its_paired_cadres_with_campaign_kind_and_start(client_as, paired):
    with translation.override("en"):
        html = _page(client_as("office"), paired.household)
    section = html.split('id="pairings"')[1].split("<h2")[0]
    assert str(paired.cadre.account) in section
    assert paired.campaign.name in section
    assert paired.kind_label in section
    assert paired.start.strftime("%Y") in section
    assert "No cadre is paired" not in section


def test_the_household_page_lists_its_visits_newest_first_without_the_withdrawn(client_as, paired):
    old = _visit(paired, day=dt.date(2020, 3, 1), content="旧的走访记录")
    new = _visit(paired, day=dt.date(2099, 3, 1), content="新的走访记录")
    gone = _visit(paired, day=dt.date(2099, 3, 2), content="撤回的走访记录")
    Visit.records.filter(pk=gone.pk).update(withdrawn_at=timezone.now())
    html = _page(client_as("office"), paired.household)
    section = html.split('id="visits"')[1].split("<h2")[0]
    assert str(new.uuid) in section and "新的走访记录" in section
    assert str(gone.uuid) not in section and "撤回的走访记录" not in section
    # The newest first; an old one beyond the latest ten is counted, not listed.
    total = Visit.objects.filter(household=paired.household).count()
    assert f'<small class="muted">{total}</small>' in section
    shown = section.count("/fieldwork/visits/")
    assert shown == min(total, 10)
    if total > 10:
        assert str(old.uuid) not in section
    first = section.index("/fieldwork/visits/")
    assert section[first:].startswith(f"/fieldwork/visits/{new.uuid}/")


def test_a_cadre_sees_only_their_own_pairings_and_visits_on_the_household_page(client_as, paired):
    other = Cadre.objects.exclude(pk=paired.cadre_id).filter(unit__isnull=False).order_by("pk").first()
    theirs = _visit(paired, cadre=other, day=dt.date(2099, 4, 1), content="别人的走访")
    mine = _visit(paired, day=dt.date(2099, 4, 2), content="自己的走访")
    Pairing.objects.create(
        campaign=paired.campaign,
        cadre=other,
        kind=paired.kind,
        household=paired.household,
        region=paired.household.region,
        start=paired.start,
    )
    cadre_html = _page(client_as("cadre"), paired.household)
    assert str(mine.uuid) in cadre_html and str(theirs.uuid) not in cadre_html
    cadre_pairings = cadre_html.split('id="pairings"')[1].split("<h2")[0]
    assert str(other.account) not in cadre_pairings
    office_html = _page(client_as("office"), paired.household)
    assert str(mine.uuid) in office_html and str(theirs.uuid) in office_html
    assert str(other.account) in office_html.split('id="pairings"')[1].split("<h2")[0]


def test_a_household_nobody_is_paired_with_says_so(client_as, db):
    household = _unpaired()
    html = _page(client_as("office"), household)  # the page in its default language, Chinese
    assert "本户暂无结对干部。" in html


def test_the_page_with_cadres_and_visits_uses_as_many_queries_as_one_without(client_as, paired):
    for k in range(12):
        _visit(paired, day=dt.date(2099, 5, 1 + k), content=f"走访{k}")
    bare = _unpaired()
    client = client_as("office")
    counts = []
    for household in (bare, paired.household):
        with CaptureQueriesContext(connection) as captured:
            _page(client, household)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_viewing_the_household_page_is_still_one_audit_row(client_as, paired):
    _visit(paired, day=dt.date(2099, 6, 1), content="走访")
    client = client_as("office")
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    _page(client, paired.household)
    events = list(AuditEvent.objects.filter(id__gt=last).order_by("id"))
    assert [(e.action, e.object_id) for e in events] == [("household.view", str(paired.household_id))]


def test_the_household_page_shows_its_note(client_as, paired):
    Household.objects.filter(pk=paired.household_id).update(note="因病致贫")
    with translation.override("en"):
        html = _page(client_as("office"), paired.household)
    assert "因病致贫" in html.split('id="household-note"')[1].split("</dd>")[0]


def test_beyond_the_latest_ten_the_page_links_the_visit_list_of_the_household(client_as, paired):
    for k in range(12):
        _visit(paired, day=dt.date(2099, 7, 1 + k), content=f"走访{k}")
    other = _unpaired()
    html = _page(client_as("office"), paired.household)
    link = f"/fieldwork/visits/?household={paired.household_id}"
    assert link in html.split('id="visits-more"')[1]
    client = client_as("office")
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    listed = client.get(link).content.decode()
    total = Visit.objects.filter(household=paired.household).count()
    assert f'<small class="muted">{total}</small>' in listed
    assert f'href="/people/households/{paired.household_id}/"' in listed
    assert not any(str(v.uuid) in listed for v in Visit.objects.filter(household=other))
    (event,) = AuditEvent.objects.filter(id__gt=last)
    assert event.action == "visit.list" and event.detail["filters"]["household"] == paired.household_id


def test_the_visit_list_of_a_household_outside_the_area_is_not_found(client_as, db):
    outside = Household.objects.exclude(region__code__startswith="431123").order_by("pk").first()
    client = client_as("office")
    assert client.get(f"/fieldwork/visits/?household={outside.pk}").status_code == 404
    assert client.get("/fieldwork/visits/?household=x").status_code == 404
