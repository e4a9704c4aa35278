import pytest

from minqing.programs.models import Campaign


@pytest.fixture
def campaign(db):
    """The demo county's 下基层 campaign: cadres paired with households."""
    return Campaign.objects.get(program_key="xiajiceng")


@pytest.fixture
def sanfuwu(db):
    """晋安区's 三服务 campaign: its cadres have two or three households each (office: office_jinan)."""
    return Campaign.objects.get(program_key="sanfuwu")


def own_sample(appraisal_round, account):
    """A sampled household of `account`'s own cadre in the round (the demo office is a cadre
    too): the one drawn if any, else one made with a new pairing."""
    import datetime as dt

    from minqing.appraisal.models import Sample
    from minqing.programs.models import Pairing

    found = appraisal_round.samples.filter(cadre__account=account).first()
    if found is not None:
        return found
    other = appraisal_round.samples.exclude(cadre__account=account).select_related("pairing").first()
    pairing = Pairing.objects.create(
        campaign=appraisal_round.campaign,
        cadre=account.cadre,
        kind=other.pairing.kind,
        household=other.household,
        region_id=other.region_id,
        start=dt.date(2026, 4, 15),
    )
    return Sample.objects.create(
        round=appraisal_round,
        cadre=account.cadre,
        pairing=pairing,
        household=other.household,
        region_id=other.region_id,
        position=9,
    )
