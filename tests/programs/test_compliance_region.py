"""The compliance page narrowed to a region (?region=), as the dashboard is: a region outside
the viewer's scope, or outside the campaign's, is a 404, never the whole checklist."""

import datetime as dt

from django.test import Client

from minqing.core.scope import forget_scope
from minqing.figures import selectors as figures
from minqing.figures.periods import parse_period
from minqing.geo.models import Region
from minqing.org.models import Account
from minqing.programs import engine
from minqing.programs.models import Campaign

TOWNSHIP = "431123100000"  # 江村乡
AS_OF = dt.date(2026, 11, 20)


def _county():
    return Campaign.objects.select_related("region").get(program_key="xiajiceng")


def _other_township():
    county = Region.objects.get(code="431123000000")
    return Region.objects.create(code="431123101000", name="测试镇", level=4, parent=county)


def _township_office():
    account = Account.objects.get(username="office_jiangcun")
    forget_scope(account)
    client = Client()
    client.force_login(account)
    return client


def test_a_region_outside_the_viewers_scope_is_not_found(db):
    campaign, other = _county(), _other_township()
    client = _township_office()
    for path in ("compliance/", "compliance.xlsx"):
        url = f"/campaigns/{campaign.pk}/{path}?as_of={AS_OF}"
        assert client.get(f"{url}&region={other.code}").status_code == 404, path
        assert client.get(f"{url}&region=999999999999").status_code == 404, path
    assert client.get(f"/campaigns/{campaign.pk}/compliance/?region={TOWNSHIP}").status_code == 200


def test_a_region_outside_the_campaign_is_not_found(client_as):
    campaign = _county()
    client = client_as("office")
    url = f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}"
    assert client.get(f"{url}&region=350111000000").status_code == 404  # 晋安区, not the county's
    assert client.get(f"{url}&region={TOWNSHIP}").status_code == 200


def test_the_page_narrowed_to_a_region_counts_what_the_dashboard_counts_there(client_as, actor):
    campaign = _county()
    office = actor("office")
    response = client_as("office").get(
        f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}&region={TOWNSHIP}"
    )
    assert response.status_code == 200
    shown = response.context["report"].totals
    whole = engine.ComplianceReport(campaign, AS_OF, engine.evaluate(campaign, AS_OF)).totals
    sel = figures.selection_for(
        user=office,
        campaign=campaign,
        period=parse_period("2026-11", today=AS_OF),
        region=TOWNSHIP,
        today=AS_OF,
    )
    summary = figures.compliance_summary(user=office, sel=sel)
    assert (shown["pass"], shown["fail"], shown["no_records"], shown["not_due"]) == (
        summary.passed,
        summary.failed,
        summary.no_records,
        summary.not_due,
    )
    assert sum(shown.values()) < sum(whole.values())
    assert 'name="region" value="431123100000"' in response.content.decode()
