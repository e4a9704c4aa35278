import datetime as dt

import pytest

from minqing.core.scope import forget_scope
from minqing.figures import selectors
from minqing.figures.periods import parse_period
from minqing.geo.models import Region
from minqing.org.models import Account, Cadre
from minqing.programs.models import Campaign

TOWNSHIP = "431123100000"  # 江村乡, where the demo's records are
OTHER_TOWNSHIP = "431123101000"  # made here, with one visit of its own
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def campaign(db):
    return Campaign.objects.select_related("region").get(program_key="xiajiceng")


@pytest.fixture
def year():
    return parse_period("2026", today=TODAY)


@pytest.fixture
def other_township(db, campaign):
    """A second township of the county with one household in hardship and one visit to it."""
    from minqing.fieldwork.models import Visit
    from minqing.people.models import Household

    county = Region.objects.get(code="431123000000")
    township = Region.objects.create(code=OTHER_TOWNSHIP, name="测试镇", level=4, parent=county)
    village = Region.objects.create(code="431123101200", name="测试村", level=5, parent=township)
    household = Household.objects.create(code="T-0001", region=village, address="测试村1号", hardship_level=2)
    cadre = Cadre.objects.order_by("id").first()
    Visit.objects.create(
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 6, 3),
        form="home_visit",
        household=household,
        region=village,
    )
    return township


@pytest.fixture
def township_office(db):
    """The demo's office account whose scope is the township 江村乡 only."""
    account = Account.objects.get(username="office_jiangcun")
    assert [r.code for g in account.grants.all() for r in g.regions.all()] == [TOWNSHIP]
    forget_scope(account)
    return account


def sel_for(user, campaign, period, **kw):
    return selectors.selection_for(user=user, campaign=campaign, period=period, today=TODAY, **kw)
