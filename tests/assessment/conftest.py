import datetime as dt

import pytest

from minqing.programs.services import pairing_create
from tests.programs.conftest import Scenario, days


class AssessmentScenario(Scenario):
    def pair(self, campaign, cadre, target, kind="bangfu", start=None):
        return pairing_create(
            actor=self.office,
            campaign=campaign,
            cadre=cadre,
            kind=kind,
            target=target,
            start=start or campaign.start,
        )


@pytest.fixture
def scenario(db, actor):
    return AssessmentScenario(actor("office"))


__all__ = ["days", "dt"]
