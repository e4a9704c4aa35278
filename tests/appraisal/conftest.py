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
