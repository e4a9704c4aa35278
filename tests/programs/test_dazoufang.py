"""004 大走访: the team, point and zero-target rules know their subjects; their evidence
(relief, deeds, tickets, summaries, incidents) arrives with later modules."""

import datetime as dt

from minqing.programs.models import Team

from .conftest import verdicts


def test_team_and_point_rules_cover_every_team_and_point_and_never_pass_without_records(scenario):
    campaign = scenario.campaign("dazoufang", start=dt.date(2026, 3, 8), end=dt.date(2026, 4, 8))
    point = scenario.point()
    team = Team.objects.create(campaign=campaign, name="第一工作队", leader=scenario.cadre("member"))
    team.points.add(point)
    relief = verdicts(campaign, "care_for_vulnerable", as_of=dt.date(2026, 4, 8))
    assert [(v.subject_type, v.subject_id, v.status) for v in relief] == [("team", team.pk, "no_records")]
    assert "20" in relief[0].required and "200" in relief[0].required
    for key in ("deeds_per_point", "problems_per_point", "zero_targets"):
        found = verdicts(campaign, key, as_of=dt.date(2026, 4, 8))
        assert [(v.subject_type, v.subject_id, v.status) for v in found] == [
            ("point", point.pk, "no_records")
        ]
    summary = verdicts(campaign, "team_summary", as_of=dt.date(2026, 4, 8))
    assert [v.status for v in summary] == ["no_records"]
