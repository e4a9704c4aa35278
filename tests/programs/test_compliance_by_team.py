"""Compliance by team: one line per team (its own verdicts and its leader's, members' and
points'), the team filter on the page, in the Excel download, in the API and the command,
and a team out of the campaign or out of sight refused."""

import datetime as dt
import io
import json
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs import engine
from minqing.programs.models import Team
from minqing.programs.services import pairing_create, team_create

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def teams(scenario):
    """A 树根 campaign with two teams of a leader and a member each and a village point each;
    everyone links the household in hardship the rule asks for, except team B's member. A
    cadre of the campaign in no team fails too, and counts for neither."""
    campaign = scenario.campaign("shugen", start=dt.date(2026, 3, 1))
    cadres = {name: scenario.cadre(rank, name=name) for name, rank in (
        ("甲队长", "member"), ("甲队员", "section_head"), ("乙队长", "member"), ("乙队员", "section_head"),
        ("无队干部", "section_head"),
    )}  # fmt: skip
    for name in ("甲队长", "甲队员", "乙队长"):
        pairing_create(
            actor=scenario.office,
            campaign=campaign,
            cadre=cadres[name],
            kind="bangfu",
            target=scenario.household(level=1),
            start=dt.date(2026, 3, 10),
        )
    team_a = team_create(
        actor=scenario.office,
        campaign=campaign,
        name="甲联络队",
        leader=cadres["甲队长"],
        members=[cadres["甲队长"], cadres["甲队员"]],
        points=[scenario.point(name="甲村点")],
    )
    team_b = team_create(
        actor=scenario.office,
        campaign=campaign,
        name="乙联络队",
        leader=cadres["乙队长"],
        members=[cadres["乙队员"]],
        points=[scenario.point(name="乙村点")],
    )
    return campaign, team_a, team_b, cadres


def expected(campaign, team):
    """The team's verdicts counted straight from the engine: its own, its cadres', its points'."""
    cadres = {team.leader_id, *team.members.values_list("pk", flat=True)}
    points = set(team.points.values_list("pk", flat=True))
    return [
        v
        for v in engine.evaluate(campaign, AS_OF)
        if (v.subject_type == "team" and v.subject_id == team.pk)
        or v.cadre_id in cadres
        or (v.subject_type == "point" and v.subject_id in points)
    ]


def page_rows(html):
    return re.findall(r'<tr class="status-(\w+)">', html)


def test_the_page_has_a_line_per_team_with_its_own_and_its_cadres_and_points_verdicts(teams, client_as):
    campaign, team_a, team_b, cadres = teams
    a, b = expected(campaign, team_a), expected(campaign, team_b)
    # The scenario as described: B's member fails the quota, A does not fail it; each team
    # has verdicts of its own (service days) and of its point (funded projects).
    quota_failures = {v.subject for v in b if v.rule == "hardship_quota" and v.status == "fail"}
    assert len(quota_failures) == 1 and "乙队员" in quota_failures.pop()
    assert not [v for v in a if v.rule == "hardship_quota" and v.status == "fail"]
    for found in (a, b):
        assert {v.subject_type for v in found} == {"cadre", "team", "point"}
    assert not [v for v in a + b if v.cadre_id == cadres["无队干部"].pk]

    html = client_as("office").get(f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}").content.decode()
    table = html[html.index('id="by-team"') : html.index("</table>", html.index('id="by-team"'))]
    lines = re.findall(r'team=(\d+)&amp;status=fail">([^<]+)</a></td>\s*' + r"<td[^>]*>(\d+)</td>" * 3, table)
    assert [(int(pk), name) for pk, name, *_counts in lines] == [
        (team_b.pk, "乙联络队"),
        (team_a.pk, "甲联络队"),
    ]
    for (_pk, _name, *counts), found in zip(lines, (b, a), strict=True):
        tally = Counter(v.status for v in found)
        assert [int(n) for n in counts] == [tally["pass"], tally["fail"], tally["no_records"]]


def test_the_team_filter_shows_only_that_teams_verdicts_and_the_download_has_the_same_rows(teams, client_as):
    campaign, _team_a, team_b, _cadres = teams
    client = client_as("office")
    failing = [v for v in expected(campaign, team_b) if v.status == "fail"]
    url = f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}&team={team_b.pk}&status=fail"
    html = client.get(url).content.decode()
    assert set(page_rows(html)) == {"fail"} and len(page_rows(html)) == len(failing)
    assert "<h2>乙联络队" in html
    assert f'name="team" value="{team_b.pk}"' in html  # kept when the rule or the result changes
    download = re.search(r'id="checklist-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"team={team_b.pk}" in download

    everything = expected(campaign, team_b)
    html = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}&team={team_b.pk}").content.decode()
    subjects = re.findall(r'<tr class="status-\w+">\s*<td data-label="[^"]+">(?:<a [^>]+>)?([^<]+)', html)
    assert len(page_rows(html)) == len(everything)
    assert sorted(subjects) == sorted(v.subject for v in everything)
    assert not any("甲" in subject or "无队" in subject for subject in subjects)

    with translation.override("en"):
        english = [
            (v.status, v.subject, v.status_label, "; ".join(v.missing)) for v in expected(campaign, team_b)
        ]
    wanted = {
        f"team={team_b.pk}&status=fail": [row[1:] for row in english if row[0] == "fail"],
        f"team={team_b.pk}": [row[1:] for row in english],
    }
    for query, verdicts in wanted.items():
        with translation.override("en"):
            response = client.get(
                f"/campaigns/{campaign.pk}/compliance.xlsx?as_of={AS_OF}&{query}", HTTP_ACCEPT_LANGUAGE="en"
            )
        assert response.status_code == 200
        # Read as the project reads Excel (python-calamine), the way the other checklist tests do.
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        assert "team: 乙联络队" in rows[0][0]
        data = rows[3:]
        assert sorted((r[3], r[9], r[10]) for r in data) == sorted(verdicts)


def test_a_team_of_another_campaign_or_none_at_all_is_a_404_on_the_page_and_the_download(
    teams, scenario, client_as
):
    campaign, _team_a, _team_b, _cadres = teams
    other = scenario.campaign("shugen", start=dt.date(2026, 3, 1))
    elsewhere = team_create(actor=scenario.office, campaign=other, name="别处的队")
    client = client_as("office")
    for bad in (elsewhere.pk, 999999, "abc"):
        assert client.get(f"/campaigns/{campaign.pk}/compliance/?team={bad}").status_code == 404
        assert client.get(f"/campaigns/{campaign.pk}/compliance.xlsx?team={bad}").status_code == 404


def test_a_cadre_sees_the_line_of_their_own_team_only_and_the_other_team_is_a_404(teams, scenario, client_as):
    campaign, team_a, team_b, _cadres = teams
    demo_cadre = Account.objects.get(username="cadre").cadre
    team_b.members.add(demo_cadre)
    client = client_as("cadre")
    html = client.get(f"/campaigns/{campaign.pk}/compliance/?as_of={AS_OF}").content.decode()
    assert "乙联络队" in html and "甲联络队" not in html
    assert client.get(f"/campaigns/{campaign.pk}/compliance/?team={team_a.pk}").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/compliance/?team={team_b.pk}").status_code == 200
    token = token_create(actor=None, account=demo_cadre.account)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{campaign.pk}/compliance?as_of={AS_OF}"
    data = client_as(None).get(url, **auth).json()
    assert [line["team"] for line in data["by_team"]] == [team_b.pk]
    assert client_as(None).get(f"{url}&team={team_a.pk}", **auth).status_code == 404


def test_the_api_and_the_command_give_the_same_team_lines_and_team_verdicts(teams, client):
    campaign, team_a, team_b, _cadres = teams
    token = token_create(actor=None, account=Account.objects.get(username="office"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/campaigns/{campaign.pk}/compliance?as_of={AS_OF}"
    whole = client.get(url, **auth).json()
    assert [line["team"] for line in whole["by_team"]] == [team_b.pk, team_a.pk]
    for line, team in zip(whole["by_team"], (team_b, team_a), strict=True):
        tally = Counter(v.status for v in expected(campaign, team))
        assert line["team_name"] == team.name
        assert {k: line[k] for k in engine.STATUSES} == {k: tally[k] for k in engine.STATUSES}
        assert line["total"] == sum(tally.values())
    assert whole["team"] is None

    narrowed = client.get(f"{url}&team={team_b.pk}&status=fail", **auth).json()
    failing = [v for v in expected(campaign, team_b) if v.status == "fail"]
    assert narrowed["team"] == team_b.pk and narrowed["status"] == "fail"
    assert narrowed["totals"] == whole["totals"] and narrowed["by_team"] == whole["by_team"]
    assert narrowed["shown"] == len(narrowed["verdicts"]) == len(failing) > 0
    assert sorted(v["subject"] for v in narrowed["verdicts"]) == sorted(v.subject for v in failing)

    out = io.StringIO()
    call_command(
        "compliance",
        "--campaign",
        str(campaign.pk),
        "--as-of",
        AS_OF.isoformat(),
        "--json",
        "--failures",
        "--team",
        str(team_b.pk),
        stdout=out,
    )
    assert json.loads(out.getvalue()) == narrowed


def test_the_command_summarizes_by_team_and_lists_one_teams_verdicts(teams):
    campaign, team_a, team_b, _cadres = teams
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "compliance", "--campaign", str(campaign.pk), "--as-of", AS_OF.isoformat(), "--team", str(team_b.pk),
            stdout=out,
        )  # fmt: skip
    text = out.getvalue()
    assert "By team:" in text and "  乙联络队: " in text and "  甲联络队: " in text
    listed = text[text.index("Verdicts of 乙联络队:") :]
    assert "✗" in listed and "乙队员" in listed and "甲" not in listed
    assert len(listed.splitlines()) - 1 == len(expected(campaign, team_b))


def test_the_command_refuses_a_team_of_another_campaign_in_the_language(teams, scenario):
    campaign, _team_a, _team_b, _cadres = teams
    other = scenario.campaign("shugen", start=dt.date(2026, 3, 1))
    elsewhere = team_create(actor=scenario.office, campaign=other, name="别处的队")
    before = Team.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("compliance", "--campaign", str(campaign.pk), "--team", str(elsewhere.pk))
    assert str(caught.value) == f"Campaign {campaign.pk} has no team {elsewhere.pk}."
    with translation.override("en"), pytest.raises(CommandError):
        call_command("compliance", "--campaign", str(campaign.pk), "--team", "999999")
    assert Team.objects.count() == before
