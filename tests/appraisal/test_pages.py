"""The appraisal, inspection and exemplary-case pages, API and commands, as each role uses them."""

import datetime as dt
import json
import re
import subprocess

import pytest
from django.core.management import call_command

from minqing.appraisal.models import AppraisalRound, ExemplaryCase, FollowUpAction, Inspection, Sample
from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create

from .conftest import own_sample


def _draw_by_page(client, campaign, period="2026-11", per_cadre=2) -> AppraisalRound:
    response = client.post(
        "/appraisal/draw/", {"campaign": campaign.pk, "period": period, "per_cadre": per_cadre}
    )
    appraisal_round = AppraisalRound.objects.get(campaign=campaign, period=period)
    assert response.status_code == 302 and response["Location"] == f"/appraisal/{appraisal_round.pk}/"
    return appraisal_round


def test_the_office_draws_calls_releases_and_the_pdf_and_public_page_show_the_scores(
    campaign, client_as, tmp_path
):
    office = client_as("office")
    appraisal_round = _draw_by_page(office, campaign)
    samples = list(
        appraisal_round.samples.exclude(cadre__account__username="office").select_related("cadre__account")
    )
    page = office.get(f"/appraisal/{appraisal_round.pk}/samples/").content.decode()
    assert samples[0].household.address in page
    assert AuditEvent.objects.filter(
        action="appraisal.samples.view", object_id=str(appraisal_round.pk)
    ).exists()
    first = samples[0]
    response = office.post(
        f"/appraisal/samples/{first.pk}/",
        {"status": "answered", "verdict": "unsatisfied", "q_visited": "no", "comment": "很少见到"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.verdict, first.channel, first.answers["visited"]) == (
        "answered",
        "unsatisfied",
        "phone",
        "no",
    )
    # Bad input: a clear message, nothing changed.
    second = samples[1]
    response = office.post(
        f"/appraisal/samples/{second.pk}/", {"status": "answered", "verdict": "maybe"}, follow=True
    )
    assert "请选择满意、基本满意或不满意" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "pending"
    # Not public before the release.
    assert client_as(None).get(f"/public/appraisal/{appraisal_round.pk}/").status_code == 404
    assert office.post(f"/appraisal/{appraisal_round.pk}/release/").status_code == 302
    appraisal_round.refresh_from_db()
    assert appraisal_round.status == "released"
    # Answers close with the release.
    response = office.post(f"/appraisal/samples/{second.pk}/", {"status": "answered", "verdict": "satisfied"})
    second.refresh_from_db()
    assert second.status == "pending"

    name = str(first.cadre.account)
    public = client_as(None).get(f"/public/appraisal/{appraisal_round.pk}/").content.decode()
    assert name in public and "0.0" in public
    # No household's name or address on the public list.
    assert first.household.address not in public and first.household.head.name not in public
    pdf = office.get(f"/appraisal/{appraisal_round.pk}/publication.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "list.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The period as people read it, not its code (2026-11).
    assert "公示" in text and name in text and "2026年11月" in text and "2026-11" not in text
    assert AuditEvent.objects.filter(action="appraisal.release", object_id=str(appraisal_round.pk)).exists()


def test_the_cadre_never_sees_the_sample(campaign, client_as, actor):
    office = client_as("office")
    appraisal_round = _draw_by_page(office, campaign, per_cadre=3)
    cadre = Account.objects.get(username="cadre")
    own = list(appraisal_round.samples.filter(cadre__account=cadre))
    assert own, "the demo cadre has household pairings"
    as_cadre = client_as("cadre")
    assert as_cadre.get("/appraisal/").status_code == 403
    assert as_cadre.get(f"/appraisal/{appraisal_round.pk}/").status_code == 404
    assert as_cadre.get(f"/appraisal/{appraisal_round.pk}/samples/").status_code == 403
    assert as_cadre.get(f"/appraisal/samples/{own[0].pk}/").status_code == 404
    assert as_cadre.post(f"/appraisal/samples/{own[0].pk}/link/").status_code == 404
    token = token_create(actor=None, account=cadre)
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert as_cadre.get(f"/api/v1/appraisal/rounds/{appraisal_round.pk}/samples", **api).status_code == 403
    assert as_cadre.get("/api/v1/appraisal/rounds", **api).json()["count"] == 0
    assert as_cadre.get(f"/api/v1/appraisal/rounds/{appraisal_round.pk}/results", **api).status_code == 404
    # The cadre's own pages (targets, households) say nothing of the draw.
    for url in ("/m/", "/people/", "/", f"/cadres/{own[0].cadre_id}/pairings/"):
        page = as_cadre.get(url)
        body = page.content.decode()
        assert "抽样" not in body and "/appraisal/samples/" not in body, url
    # Viewers who may see the results but not handle the sample get no further.
    for role in ("leader", "inspector"):
        client = client_as(role)
        assert client.get(f"/appraisal/{appraisal_round.pk}/").status_code == 200
        assert client.get(f"/appraisal/{appraisal_round.pk}/samples/").status_code == 403
        assert client.get(f"/appraisal/samples/{own[0].pk}/").status_code == 404


def test_the_office_does_not_see_the_households_drawn_to_appraise_itself(campaign, client_as, actor):
    office_account = actor("office")
    appraisal_round = _draw_by_page(client_as("office"), campaign)
    own = own_sample(appraisal_round, office_account)
    office = client_as("office")
    assert office.get(f"/appraisal/samples/{own.pk}/").status_code == 404
    assert (
        office.post(
            f"/appraisal/samples/{own.pk}/", {"status": "answered", "verdict": "satisfied"}
        ).status_code
        == 404
    )
    listing = office.get(f"/appraisal/{appraisal_round.pk}/samples/").content.decode()
    assert f"/appraisal/samples/{own.pk}/" not in listing
    own.refresh_from_db()
    assert own.status == "pending"


def test_a_one_time_link_from_the_page_works_once_and_is_rate_limited(campaign, client_as, settings):
    office = client_as("office")
    appraisal_round = _draw_by_page(office, campaign)
    sample = appraisal_round.samples.exclude(cadre__account__username="office").first()
    page = office.post(f"/appraisal/samples/{sample.pk}/link/").content.decode()
    token = re.search(r"/a/([A-Za-z0-9_-]+)/", page).group(1)
    assert "<svg" in page
    resident = client_as(None)
    form = resident.get(f"/a/{token}/").content.decode()
    # Only the cadre's name and unit and the questions: nothing of the household.
    assert str(sample.cadre.account) in form and sample.cadre.unit.name in form
    assert sample.household.address not in form
    done = resident.post(f"/a/{token}/", {"verdict": "satisfied", "q_visited": "yes"})
    assert done.status_code == 200 and "您的评议已记录" in done.content.decode()
    again = resident.post(f"/a/{token}/", {"verdict": "unsatisfied"})
    assert again.status_code == 410 and "已使用" in again.content.decode()
    sample.refresh_from_db()
    assert (sample.verdict, sample.channel) == ("satisfied", "link")
    settings.TRACK_PER_IP_PER_HOUR = 1
    from django.core.cache import cache

    cache.clear()
    assert resident.get("/a/nonsense/").status_code == 410
    limited = resident.get("/a/nonsense/")
    assert limited.status_code == 429 and limited["Retry-After"]


def test_an_inspection_with_a_follow_up_action_the_owner_closes(campaign, client_as, actor):
    cadre = actor("cadre").cadre
    inspector = client_as("inspector")
    response = inspector.post(
        "/inspections/new/",
        {
            "campaign": campaign.pk,
            "kind": "unannounced",
            "date": "2026-11-02",
            "cadre": cadre.pk,
            "method": "随机入户",
            "findings": "两户反映走访少",
            "rating": "average",
            "action_text": "一周内回访两户",
            "action_deadline": "2026-11-09",
        },
    )
    inspection = Inspection.objects.filter(cadre=cadre, findings="两户反映走访少").get()
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    action = inspection.actions.get()
    assert (action.owner_id, action.deadline) == (cadre.pk, dt.date(2026, 11, 9))
    # The cadre sees the inspection of themself and closes the action; another county does not see it.
    as_cadre = client_as("cadre")
    assert "两户反映走访少" in as_cadre.get(f"/inspections/{inspection.pk}/").content.decode()
    assert client_as("office_jinan").get(f"/inspections/{inspection.pk}/").status_code == 404
    assert as_cadre.post(f"/inspections/actions/{action.pk}/done/", {"note": "已回访"}).status_code == 302
    action.refresh_from_db()
    assert action.done_on is not None and action.done_note == "已回访"
    # Bad input: a future date, nothing written.
    before = Inspection.objects.count()
    page = inspector.post(
        "/inspections/new/",
        {
            "campaign": campaign.pk,
            "kind": "open",
            "date": "2099-01-01",
            "cadre": cadre.pk,
            "findings": "x",
            "rating": "good",
        },
    ).content.decode()
    assert "日期晚于今天" in page and Inspection.objects.count() == before
    assert AuditEvent.objects.filter(action="inspection.action_done", object_id=str(action.pk)).exists()


def test_an_exemplary_case_is_nominated_selected_and_published_on_the_publication_list(
    campaign, client_as, actor
):
    cadre = actor("cadre").cadre
    leader = client_as("leader")
    response = leader.post(
        "/exemplary/new/",
        {
            "campaign": campaign.pk,
            "subject": "cadre",
            "cadre": cadre.pk,
            "title": "村民的知心人",
            "story": "常年驻村。",
        },
    )
    case = ExemplaryCase.objects.get(title="村民的知心人")
    assert response["Location"] == f"/exemplary/{case.pk}/"
    # Only the office decides.
    assert leader.post(f"/exemplary/{case.pk}/decide/", {"step": "select"}).status_code == 403
    office = client_as("office")
    assert office.post(f"/exemplary/{case.pk}/decide/", {"step": "publish"}, follow=True).status_code == 200
    case.refresh_from_db()
    assert case.status == "nominated"
    for step in ("select", "publish"):
        office.post(f"/exemplary/{case.pk}/decide/", {"step": step})
    case.refresh_from_db()
    assert case.status == "published"
    appraisal_round = _draw_by_page(office, campaign)
    assert "村民的知心人" in office.get(f"/appraisal/{appraisal_round.pk}/publication/").content.decode()
    recorded = list(
        AuditEvent.objects.filter(object_type="appraisal.exemplarycase", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    # The case's page shown after the refused step is a read of it, recorded too.
    assert recorded == ["exemplary.nominate", "exemplary.view", "exemplary.select", "exemplary.publish"]


def test_the_api_draws_records_and_reads_results(campaign, client_as, actor):
    office = actor("office")
    api = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=office)}"}
    client = client_as(None)
    created = client.post(
        "/api/v1/appraisal/rounds",
        {"campaign": campaign.pk, "period": "2026-11", "per_cadre": 1},
        content_type="application/json",
        **api,
    )
    assert created.status_code == 201
    round_id = created.json()["id"]
    samples = client.get(f"/api/v1/appraisal/rounds/{round_id}/samples", **api).json()["items"]
    assert samples and all("*" in s["phone"] for s in samples if s["phone"])
    target = samples[0]
    recorded = client.post(
        f"/api/v1/appraisal/samples/{target['id']}/callback",
        {"status": "answered", "verdict": "basic"},
        content_type="application/json",
        **api,
    )
    assert recorded.status_code == 200 and recorded.json()["verdict"] == "basic"
    results = client.get(f"/api/v1/appraisal/rounds/{round_id}/results", **api).json()
    assert {(r["cadre"], r["score"]) for r in results if r["answered"]} == {(target["cadre"], 60.0)}
    bad = client.post(
        "/api/v1/appraisal/rounds",
        {"campaign": campaign.pk, "period": "2026-11"},
        content_type="application/json",
        **api,
    )
    assert bad.status_code == 422


def test_the_commands_draw_verify_and_list(campaign, capsys):
    call_command("appraisal", "draw", "--campaign", str(campaign.pk), "--period", "2026-11", "--seed", "99")
    assert "随机种子 99" in capsys.readouterr().out
    call_command("appraisal", "verify", "--campaign", str(campaign.pk), "--period", "2026-11")
    assert "随机种子 99" in capsys.readouterr().out
    call_command("appraisal", "results", "--campaign", str(campaign.pk), "--period", "2026-11", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2026-11" and data["results"]
    # Someone changed the stored sample: verify says so.
    appraisal_round = AppraisalRound.objects.get(campaign=campaign, period="2026-11")
    sample = appraisal_round.samples.first()
    Sample.objects.filter(pk=sample.pk).delete()
    with pytest.raises(Exception, match="不一致"):
        call_command("appraisal", "verify", "--campaign", str(campaign.pk), "--period", "2026-11")
    call_command("inspection", "overdue", "--campaign", str(campaign.pk), "--json")
    overdue = json.loads(capsys.readouterr().out)
    expected = FollowUpAction.objects.filter(
        inspection__campaign=campaign, done_on__isnull=True, deadline__lt=dt.date.today()
    ).count()
    assert len(overdue) == expected


BAD_IDS = ("x", "-1", "1.5", "²", "9" * 30)
NOT_ON_THE_LIST = "不在列表中，请重新选择"


def test_bad_ids_in_the_inspection_and_case_forms_give_a_message_and_change_nothing(
    campaign, client_as, actor
):
    cadre = actor("cadre").cadre
    inspector, leader = client_as("inspector"), client_as("leader")
    for bad in BAD_IDS:
        for client, url in ((inspector, "/inspections/new/"), (leader, "/exemplary/new/")):
            page = client.get(url, {"campaign": bad})
            assert page.status_code == 200, (url, bad)
            assert "所选的活动" + NOT_ON_THE_LIST in page.content.decode(), (url, bad)
    inspection = {
        "campaign": campaign.pk,
        "kind": "open",
        "date": "2026-11-02",
        "cadre": cadre.pk,
        "findings": "坏编号",
        "rating": "good",
    }
    for field, label in (("cadre", "干部"), ("point", "联系点"), ("action_owner", "承办人")):
        for bad in BAD_IDS:
            sent = {**inspection, field: bad, "action_text": "回访"}
            page = inspector.post("/inspections/new/", sent)
            assert page.status_code == 200, (field, bad)
            assert "所选的" + label + NOT_ON_THE_LIST in page.content.decode(), (field, bad)
    for client, url, form in (
        (inspector, "/inspections/new/", inspection),
        (leader, "/exemplary/new/", {"subject": "cadre", "cadre": cadre.pk, "title": "坏编号", "story": "…"}),
    ):
        page = client.post(url, {**form, "campaign": "x"})
        assert page.status_code == 200 and "所选的活动" + NOT_ON_THE_LIST in page.content.decode()
    assert not Inspection.objects.filter(findings="坏编号").exists()
    # A follow-up action with a tampered owner is not added.
    recorded = inspector.post("/inspections/new/", inspection)
    added = Inspection.objects.get(findings="坏编号")
    assert recorded["Location"] == f"/inspections/{added.pk}/"
    for bad in BAD_IDS:
        page = inspector.post(
            f"/inspections/{added.pk}/actions/", {"text": "整改", "owner": bad, "deadline": ""}, follow=True
        )
        assert page.status_code == 200 and "所选的承办人" + NOT_ON_THE_LIST in page.content.decode()
    assert not added.actions.exists()
    for subject, label in (("cadre", "干部"), ("team", "工作队"), ("point", "联系点")):
        for bad in BAD_IDS:
            page = leader.post(
                "/exemplary/new/",
                {"campaign": campaign.pk, "subject": subject, subject: bad, "title": "坏编号", "story": "…"},
            )
            assert page.status_code == 200, (subject, bad)
            assert "所选的" + label + NOT_ON_THE_LIST in page.content.decode(), (subject, bad)
    assert not ExemplaryCase.objects.filter(title="坏编号").exists()


def test_a_released_publication_list_keeps_its_exemplary_cases(campaign, client_as, actor, clock):
    from minqing.appraisal import services

    office = actor("office")
    cadre = actor("cadre").cadre

    def published(title):
        case = services.case_nominate(
            actor=actor("leader"), campaign=campaign, title=title, story="…", cadre=cadre
        )
        for step in ("select", "publish"):
            services.case_decide(actor=office, case=case, step=step)
        return case

    published("发布前的好典型")
    appraisal_round = _draw_by_page(client_as("office"), campaign)
    sample = appraisal_round.samples.exclude(cadre__account_id=office.pk).first()
    services.callback_record(actor=office, sample=sample, status="answered", verdict="satisfied")
    services.round_release(actor=office, appraisal_round=appraisal_round)
    clock.advance(minutes=5)
    published("发布后的新典型")
    pages = (
        client_as("office").get(f"/appraisal/{appraisal_round.pk}/publication/").content.decode(),
        client_as(None).get(f"/public/appraisal/{appraisal_round.pk}/").content.decode(),
    )
    for page in pages:
        assert "发布前的好典型" in page and "发布后的新典型" not in page
    # A round of an earlier period does not show this month's cases.
    earlier = services.round_draw(actor=office, campaign=campaign, period="2026-09", per_cadre=1, seed=3)
    page = client_as("office").get(f"/appraisal/{earlier.pk}/publication/").content.decode()
    assert "发布前的好典型" not in page


def test_the_follow_up_tables_head_their_columns_as_follow_up_tasks_and_name_sections_with_their_unit(
    campaign, client_as, actor
):
    from minqing.org.models import Unit

    cadre = actor("cadre").cadre
    section = Unit.objects.create(
        name="综合股", kind=Unit.Kind.SECTION, parent=cadre.unit, region=cadre.unit.region
    )
    section.path = section.compute_path()
    section.save()
    cadre.unit = section
    cadre.save()
    inspector = client_as("inspector")
    inspector.post(
        "/inspections/new/",
        {
            "campaign": campaign.pk,
            "kind": "unannounced",
            "date": "2026-11-02",
            "cadre": cadre.pk,
            "method": "随机入户",
            "findings": "两户反映走访少",
            "rating": "average",
            "action_text": "一周内回访两户",
            "action_deadline": "2026-11-09",
        },
    )
    inspection = Inspection.objects.get(cadre=cadre, findings="两户反映走访少")
    named = f"{cadre.unit.parent.name}·综合股"
    assert named in inspector.get(f"/inspections/new/?campaign={campaign.pk}").content.decode()  # the picker
    for url in (f"/inspections/{inspection.pk}/", "/inspections/"):
        html = client_as("office").get(url).content.decode()
        assert named in html, url
        # The follow-up table: not "exported" (exports' Done) nor "操作" (a button's Action).
        assert "已导出" not in html and "<th>操作</th>" not in html, url


def test_a_section_s_cadre_is_named_with_the_unit_on_the_samples_callback_and_publication_pages(
    campaign, client_as, actor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minqing.appraisal import services
    from minqing.org.models import Cadre, Unit
    from minqing.org.services import unit_create

    office = client_as("office")
    cadre = actor("cadre").cadre
    case = services.case_nominate(
        actor=actor("leader"), campaign=campaign, title="好股长", story="…", cadre=cadre
    )
    for step in ("select", "publish"):
        services.case_decide(actor=actor("office"), case=case, step=step)
    appraisal_round = _draw_by_page(office, campaign)
    sample = appraisal_round.samples.filter(cadre=cadre).first()
    samples_url = f"/appraisal/{appraisal_round.pk}/samples/"

    def samples_page():
        with CaptureQueriesContext(connection) as captured:
            html = office.get(samples_url).content.decode()
        return html, len(captured)

    _html, in_a_body = samples_page()
    # Every bureau has its 综合股: the section is named with its unit.
    section = unit_create(
        actor=None, name="综合股", region=cadre.unit.region, parent=cadre.unit, kind=Unit.Kind.SECTION
    )
    named = f"{cadre.unit.name}·综合股"
    Cadre.objects.filter(pk=cadre.pk).update(unit=section)
    html, in_a_section = samples_page()
    assert named in html and in_a_section == in_a_body  # parents read in the same query
    assert named in office.get(f"/appraisal/samples/{sample.pk}/").content.decode()
    publication = office.get(f"/appraisal/{appraisal_round.pk}/publication/").content.decode()
    assert f"{cadre}</p>" not in publication and f"{cadre} · {named}" in publication  # the case
    assert (
        f"{cadre.account} · {named}" in office.get(f"/exemplary/new/?campaign={campaign.pk}").content.decode()
    )
