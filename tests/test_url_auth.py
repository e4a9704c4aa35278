"""Every URL pattern of the project, for anonymous users and for every demo role.

Pages send anonymous users to the login page and the API answers 401, except for a
short public allowlist; each role gets exactly what its scope allows; an object of
the other county is a 404. A URL pattern without a case here fails the suite."""

import uuid as uuidlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from minqing.exports.models import ExportRequest
from minqing.geo.models import Region
from minqing.org.models import Account, ApiToken, Cadre, Grant, Unit
from minqing.org.services import token_create
from minqing.people.models import Household
from minqing.programs.models import Campaign, LiaisonPoint, Pairing

ROLES = [
    "sysadmin",
    "secadmin",
    "auditor",
    "office",
    "office_jinan",
    "leader",
    "cadre",
    "unit",
    "village",
    "inspector",
]
PUBLIC = {
    "fieldwork:service-worker",
    "web:login",
    "healthz",
    "set_language",
    "api-v1:openapi-json",
    "tickets:public-intake",
    "tickets:public-track",
    "appraisal:public-answer",
    "appraisal:public-publication",
    "open311:discovery",
    "open311:service-list",
    "open311:service-definition",
    "open311:request-list",
    "open311:request-detail",
    "open311:token-detail",
    "cards:board",
    "cards:board-pdf",
}

PEOPLE_VIEWERS = {"office", "office_jinan", "leader", "cadre", "village", "inspector"}
ORG_VIEWERS = set(ROLES) - {"auditor"}
COUNTY_A_WIDE = {"office", "leader", "inspector"}
PROGRAM_VIEWERS = {"office", "office_jinan", "leader", "cadre", "village", "inspector"}
OFFICES = {"office", "office_jinan"}
HOUSEHOLD_EDITORS = OFFICES | {"village"}
TICKET_VIEWERS = {"office", "office_jinan", "leader", "cadre", "unit", "village", "inspector"}
TICKET_CREATORS = {"office", "office_jinan", "cadre", "village"}
TICKET_DISPATCHERS = {"office", "office_jinan"}


def only(allowed: set, yes=200, no=404):
    return {role: (yes if role in allowed else no) for role in ROLES}


def url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, format="JPEG")
    out.seek(0)
    out.name = "photo.jpg"
    return out


def field_records(village_region, settings_media):
    """A visit with a photo, a day at a point and a monthly report of the demo cadre."""
    import datetime as dt

    from minqing.fieldwork.photos import photo_attach
    from minqing.fieldwork.services import attendance_check_in, monthly_report_draft, visit_record

    cadre_account = Account.objects.get(username="cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = Pairing.objects.filter(
        campaign=campaign, cadre__account=cadre_account, household__isnull=False
    ).first()
    visit = visit_record(
        actor=cadre_account,
        campaign=campaign,
        cadre=pairing.cadre,
        date=dt.date(2026, 6, 1),
        form="home_visit",
        target=pairing.household,
        content="走访",
    )
    photo = photo_attach(actor=cadre_account, data=jpeg().read(), visit=visit)
    point = LiaisonPoint.objects.get(region=village_region)
    day = attendance_check_in(actor=cadre_account, cadre=pairing.cadre, point=point, date=dt.date(2026, 6, 2))
    day2 = attendance_check_in(
        actor=cadre_account, cadre=pairing.cadre, point=point, date=dt.date(2026, 6, 3)
    )
    report = monthly_report_draft(
        actor=cadre_account, campaign=campaign, cadre=pairing.cadre, month=dt.date(2026, 6, 1)
    )
    from minqing.fieldwork.services import worklog_write

    # at the point the cadre is stationed at
    stationed = Pairing.objects.filter(cadre__account=cadre_account, point__isnull=False).first().point
    worklog = worklog_write(
        actor=cadre_account,
        cadre=pairing.cadre,
        point=stationed,
        date=dt.date(2026, 6, 2),
        content="驻点工作",
    )
    from minqing.fieldwork.services import help_plan_create
    from minqing.programs.models import Team

    plan = help_plan_create(
        actor=cadre_account,
        campaign=campaign,
        cadre=pairing.cadre,
        title="增收计划",
        target=pairing.household,
        deadline=dt.date(2027, 6, 30),
        commitments=[("技能培训", dt.date(2026, 12, 31))],
    )
    team = Team.objects.create(campaign=campaign, name="核查组")
    from minqing.fieldwork.services import activity_record

    # A 四个一 policy talk the demo cadre held, at no point: seen in the campaign's county.
    activity = activity_record(
        actor=cadre_account,
        campaign=campaign,
        cadre=pairing.cadre,
        kind="policy_talk",
        title="惠农政策宣讲",
        date=dt.date(2026, 6, 4),
        attendance=30,
    )
    return {
        "activity": activity,
        "visit": visit,
        "photo": photo,
        "day": day,
        "day2": day2,
        "report": report,
        "worklog": worklog,
        "plan": plan,
        "commitment": plan.commitments.get(),
        "team": team,
        "cadre_record": pairing.cadre,
    }


@pytest.fixture
def objects(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    village_region = Grant.objects.get(account__username="village").regions.get()
    unit_cadre = Cadre.objects.select_related("unit").get(account__username="unit")
    return {
        "household_a": Household.objects.filter(region__code__startswith=village_region.code).first(),
        "household_b": Household.objects.filter(region__code__startswith="350111").first(),
        "unit_a": unit_cadre.unit,
        "unit_b": Unit.objects.filter(region__code__startswith="350111").first(),
        "cadre_a": unit_cadre,
        "cadre_b": Cadre.objects.get(account__username="office_jinan"),
        "region_a": village_region,
        "region_b": Household.objects.filter(region__code__startswith="350111").first().region.parent,
        "campaign_a": Campaign.objects.get(program_key="xiajiceng"),
        "campaign_b": Campaign.objects.get(program_key="sanfuwu"),
        "pairing_a": Pairing.objects.filter(campaign__program_key="xiajiceng").first(),
        "point_a": LiaisonPoint.objects.get(region=village_region),
        "unit_pairing_a": _unit_pairing(unit_cadre.unit, LiaisonPoint.objects.get(region=village_region)),
        **field_records(village_region, tmp_path),
        **appraisal_objects(),
        "account": Account.objects.get(username="cadre"),
        "api_token": ApiToken.objects.get(
            digest=ApiToken.digest_of(token_create(actor=None, account=Account.objects.get(username="cadre")))
        ),
        # A full export of county A that the leader asked for: only county A's office may decide.
        "export_request": ExportRequest.objects.create(
            requester=Account.objects.get(username="leader"),
            filters={"region": "431123", "hardship": None, "tag": "", "q": ""},
            reason="走访台账核对",
            rows=1,
        ),
        **_assessment_objects(),
        "ticket_a": _ticket("office", "xiajiceng", village_region, unit_cadre.unit),
        "ticket_b": _ticket(
            "office_jinan", "sanfuwu", Region.objects.filter(code__startswith="350111", level=5).first(), None
        ),
    }


def _unit_pairing(unit, point):
    """County A's unit paired with county A's demo village in its campaign."""
    from minqing.programs.services import unit_pairing_create

    campaign = Campaign.objects.get(program_key="xiajiceng")
    return unit_pairing_create(
        actor=None, campaign=campaign, unit=unit, point=point, kind="twinning", start=campaign.start
    )


def _assessment_objects():
    """Results, recalls and leaders' records of both counties (the demo assesses its year)."""
    import datetime as dt

    from minqing.assessment.models import AssessmentResult, LeaderRecord, Recall
    from minqing.assessment.services import leader_record_draft, recall_propose

    jinan = Campaign.objects.get(program_key="sanfuwu")
    xia = Campaign.objects.get(program_key="xiajiceng")
    busy = set(Recall.objects.values_list("cadre_id", flat=True))
    free = (
        Pairing.objects.filter(campaign=xia)
        .exclude(cadre_id__in=busy)
        .exclude(cadre__account__username__in=ROLES)
        .select_related("cadre")
    )
    other, another = free.first().cadre, free.exclude(cadre=free.first().cadre).first().cadre
    jinan_cadre = Pairing.objects.filter(campaign=jinan).select_related("cadre").first().cadre
    return {
        "result_a": AssessmentResult.objects.filter(
            run__campaign__program_key="xiajiceng", cadre__account__username="cadre"
        ).latest("run__run_at"),
        "result_b": AssessmentResult.objects.filter(run__campaign=jinan).first(),
        "recall_a": Recall.objects.get(campaign__program_key="xiajiceng", status="approved"),
        "recall_p": Recall.objects.get(campaign__program_key="xiajiceng", status="proposed"),
        "recall_b": recall_propose(actor=None, campaign=jinan, cadre=jinan_cadre, note="长期不在岗"),
        "recall_q": recall_propose(actor=None, campaign=xia, cadre=other, note="长期不在岗"),
        "cadre_free": another,
        "record_a": LeaderRecord.objects.filter(cadre__account__username="leader").first(),
        "record_b": leader_record_draft(
            actor=None,
            cadre=Cadre.objects.get(account__username="office_jinan"),
            kind="weekly",
            day=dt.date(2026, 6, 3),
        ),
    }


def _ticket(office, program, region, unit):
    from minqing.tickets.services import ticket_create

    return ticket_create(
        actor=Account.objects.get(username=office),
        campaign=Campaign.objects.get(program_key=program),
        title="路灯不亮",
        description="村口路灯坏了",
        region=region,
        unit=unit,
        contact_phone="13812345678",
        photo=jpeg(),
    )


def cases(o):
    """name → list of (method, path, data, anonymous status, {role: status})."""
    hh_a, hh_b = o["household_a"], o["household_b"]

    def reveal(household):
        return {"member": household.members.first().pk, "field": "phone", "reason": "核实联系方式"}

    regrade = {"level": 1, "graded_on": "2026-03-08", "reason": "复核"}
    people_a = COUNTY_A_WIDE | {"village"}
    unit_a_viewers = COUNTY_A_WIDE | {"sysadmin", "secadmin", "unit"}
    region_a_viewers = COUNTY_A_WIDE | {"sysadmin", "secadmin", "village"}
    everyone = only(set(ROLES))
    ca, cb, pa = o["campaign_a"], o["campaign_b"], o["pairing_a"]
    campaign_a_viewers = COUNTY_A_WIDE | {"cadre"}
    # The county's campaign read (never changed) for part of its area: the village branch reads
    # its work in the village (DOMAIN §3), as its figures.
    campaign_a_readers = campaign_a_viewers | {"village"}
    cadre_sees_point = Pairing.objects.filter(cadre__account__username="cadre", point=o["point_a"]).exists()
    point_a_viewers = COUNTY_A_WIDE | {"village"} | ({"cadre"} if cadre_sees_point else set())
    # A unit pairing is seen by who sees both its campaign and its point; only the office ends it.
    up_a = o["unit_pairing_a"]

    def unit_pairing_a_ends(office_gets):
        return {
            role: office_gets
            if role == "office"
            else 403
            if role in campaign_a_viewers & point_a_viewers
            else 404
            for role in ROLES
        }

    # A cadre's pairing is seen by who sees its campaign and its cadre or target; only the
    # office changes it.
    pairing_a_viewers = campaign_a_viewers - {"cadre"} | (
        {"cadre"} if pa.cadre.account.username == "cadre" else set()
    )

    def pairing_a_changes(office_gets):
        return {
            role: office_gets if role == "office" else 403 if role in pairing_a_viewers else 404
            for role in ROLES
        }

    pairing = {"cadre": pa.cadre_id, "kind": "bangfu", "household": "nope", "start": "2026-05-01"}
    point = {"name": "", "kind": "village"}
    start = {"program": "dundian", "name": "测试", "region": "431123", "start": "2026-04-01"}
    visit, photo, day, report = o["visit"], o["photo"], o["day"], o["report"]
    visit_viewers = (
        COUNTY_A_WIDE | {"cadre"} | ({"village"} if visit.region_id.startswith(o["region_a"].code) else set())
    )
    report_viewers = COUNTY_A_WIDE | {"cadre"}
    confirmers = {"office", "village"}
    month = day.date.strftime("%Y-%m")
    sync_payload = {
        "payload": {
            "campaign": ca.pk,
            "date": "2026-06-03",
            "form": "home_visit",
            "target": {"type": "household", "id": visit.household_id},
        }
    }
    recorders = {"cadre", "office", "leader", "inspector"}
    account, export = o["account"], o["export_request"]
    sysadmin_only = only({"sysadmin"}, no=403)
    sysadmin_acts = only({"sysadmin"}, yes=302, no=403)
    secadmin_only = only({"secadmin"}, no=403)
    ta, tb = o["ticket_a"], o["ticket_b"]
    dashboard_a = {**only(campaign_a_viewers | {"village"}, no=403), "office_jinan": 404}
    dashboard_b = {**only({"office_jinan"}, no=403), **{r: 404 for r in PROGRAM_VIEWERS - {"office_jinan"}}}
    ticket_a_viewers = {"office", "leader", "inspector", "village", "unit"}
    new_ticket = {"campaign": ca.pk, "title": "路灯", "description": "路灯坏了", "region": o["region_a"].code}
    # Ledgers and cards: a campaign's viewers; a role without programs.view 403; another county 404.
    campaign_pages = {
        role: 200 if role in campaign_a_viewers else 404 if role in PROGRAM_VIEWERS else 403 for role in ROLES
    }
    # A cadre's card page: whoever sees the cadre (its form only for the cadre and the office).
    card_editors = {
        role: (200 if role in unit_a_viewers else 403 if role == "auditor" else 404) for role in ROLES
    }
    unmasked_ledger = {**campaign_pages, **{r: 403 for r in ("leader", "inspector", "cadre")}}
    return {
        "ledgers:ledger-list": [
            ("get", reverse("ledgers:ledger-list", args=[ca.pk]), None, 302, campaign_pages),
        ],
        "ledgers:ledger-export": [
            ("get", reverse("ledgers:ledger-export", args=[ca.pk, "hot_hard"]), None, 302, campaign_pages),
        ],
        "cards:campaign-cards": [
            ("get", reverse("cards:campaign-cards", args=[ca.pk]), None, 302, campaign_pages),
        ],
        "cards:cards-pdf": [("get", reverse("cards:cards-pdf", args=[ca.pk]), None, 302, campaign_pages)],
        "cards:card-edit": [
            ("get", reverse("cards:card-edit", args=[o["cadre_a"].pk]), None, 302, card_editors),
        ],
        "cards:board": [("get", reverse("cards:board", args=[o["region_a"].code]), None, 200, everyone)],
        "cards:board-pdf": [
            ("get", reverse("cards:board-pdf", args=[o["region_a"].code]), None, 200, everyone)
        ],
        "api-v1:list_ledgers": [("get", f"/api/v1/campaigns/{ca.pk}/ledgers", None, 401, campaign_pages)],
        "api-v1:export_ledger": [
            ("get", f"/api/v1/campaigns/{ca.pk}/ledgers/hot_hard/file", None, 401, campaign_pages)
        ],
        "api-v1:export_ledger_unmasked": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/ledgers/hot_hard/file",
                {"reason": "核对台账"},
                401,
                unmasked_ledger,
            )
        ],
        "api-v1:list_cards": [("get", f"/api/v1/campaigns/{ca.pk}/cards", None, 401, campaign_pages)],
        "api-v1:print_cards": [("get", f"/api/v1/campaigns/{ca.pk}/cards.pdf", None, 401, campaign_pages)],
        "web:home": [("get", reverse("web:home"), None, 302, everyone)],
        "web:login": [("get", reverse("web:login"), None, 200, only(set(), no=302))],
        "web:logout": [("post", reverse("web:logout"), {}, 302, only(set(), no=302))],
        "set_language": [
            ("post", reverse("set_language"), {"language": "en", "next": "/"}, 302, only(set(), no=302))
        ],
        "healthz": [("get", reverse("healthz"), None, 200, everyone)],
        "people:household-list": [
            ("get", reverse("people:household-list"), None, 302, only(PEOPLE_VIEWERS, no=403))
        ],
        "people:household-detail": [
            ("get", reverse("people:household-detail", args=[hh_a.pk]), None, 302, only(people_a)),
            ("get", reverse("people:household-detail", args=[hh_b.pk]), None, 302, only({"office_jinan"})),
        ],
        "people:household-regrade": [
            (
                "post",
                reverse("people:household-regrade", args=[hh_a.pk]),
                regrade,
                302,
                {**only(people_a), "office": 302, "village": 302, "leader": 403, "inspector": 403},
            ),
            (
                "post",
                reverse("people:household-regrade", args=[hh_b.pk]),
                regrade,
                302,
                {**only(set()), "office_jinan": 302},
            ),
        ],
        "people:household-reveal": [
            (
                "post",
                reverse("people:household-reveal", args=[hh_a.pk]),
                reveal(hh_a),
                302,
                {**only(people_a), "office": 200, "village": 403, "leader": 403, "inspector": 403},
            ),
            (
                "post",
                reverse("people:household-reveal", args=[hh_b.pk]),
                reveal(hh_b),
                302,
                {**only(set()), "office_jinan": 200},
            ),
        ],
        "org:unit-list": [("get", reverse("org:unit-list"), None, 302, only(ORG_VIEWERS, no=403))],
        "org:unit-detail": [
            ("get", reverse("org:unit-detail", args=[o["unit_a"].pk]), None, 302, only(unit_a_viewers)),
            (
                "get",
                reverse("org:unit-detail", args=[o["unit_b"].pk]),
                None,
                302,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "org:cadre-list": [("get", reverse("org:cadre-list"), None, 302, only(ORG_VIEWERS, no=403))],
        "org:cadre-detail": [
            ("get", reverse("org:cadre-detail", args=[o["cadre_a"].pk]), None, 302, only(unit_a_viewers)),
            (
                "get",
                reverse("org:cadre-detail", args=[o["cadre_b"].pk]),
                None,
                302,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "geo:region-list": [("get", reverse("geo:region-list"), None, 302, only(ORG_VIEWERS, no=403))],
        "geo:region-detail": [
            (
                "get",
                reverse("geo:region-detail", args=[o["region_a"].code]),
                None,
                302,
                only(region_a_viewers),
            ),
            (
                "get",
                reverse("geo:region-detail", args=[o["region_b"].code]),
                None,
                302,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "programs:program-list": [
            ("get", reverse("programs:program-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "programs:program-add": [
            ("get", reverse("programs:program-add"), None, 302, only(OFFICES, no=403)),
            # refused (not a template): the page again with the errors
            (
                "post",
                reverse("programs:program-add"),
                {"text": "key =", "action": "add"},
                302,
                only(OFFICES, no=403),
            ),
        ],
        "programs:program-source": [
            (
                "get",
                reverse("programs:program-source", args=["dundian"]),
                None,
                302,
                only(PROGRAM_VIEWERS, no=403),
            )
        ],
        "programs:campaign-list": [
            ("get", reverse("programs:campaign-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "programs:campaign-start": [
            ("get", reverse("programs:campaign-start"), None, 302, only(OFFICES, no=403))
        ],
        "programs:campaign-detail": [
            ("get", reverse("programs:campaign-detail", args=[ca.pk]), None, 302, only(campaign_a_readers)),
            ("get", reverse("programs:campaign-detail", args=[cb.pk]), None, 302, only({"office_jinan"})),
        ],
        "programs:campaign-edit": [
            ("get", reverse("programs:campaign-edit", args=[ca.pk]), None, 302, only({"office"})),
            ("get", reverse("programs:campaign-edit", args=[cb.pk]), None, 302, only({"office_jinan"})),
        ],
        "programs:campaign-compliance": [
            (
                "get",
                reverse("programs:campaign-compliance", args=[ca.pk]),
                None,
                302,
                only(campaign_a_readers),
            ),
            ("get", reverse("programs:campaign-compliance", args=[cb.pk]), None, 302, only({"office_jinan"})),
        ],
        "programs:campaign-compliance-export": [
            (
                "get",
                reverse("programs:campaign-compliance-export", args=[ca.pk]),
                None,
                302,
                only(campaign_a_readers),
            ),
        ],
        "figures:dashboard-index": [
            ("get", reverse("figures:dashboard-index"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        **{
            name: [
                ("get", reverse(name, args=[ca.pk, *extra]), None, 302, dashboard_a),
                ("get", reverse(name, args=[cb.pk, *extra]), None, 302, dashboard_b),
            ]
            for name, extra in (
                ("figures:dashboard", ()),
                ("figures:dashboard-compliance", ()),
                ("figures:dashboard-tile", ("recall_at_risk",)),
                ("figures:tile-list", ("visits",)),
                ("figures:document", ("monthly", "docx")),
            )
        },
        "programs:pairing-list": [
            ("get", reverse("programs:pairing-list", args=[ca.pk]), None, 302, only(campaign_a_readers)),
            ("get", reverse("programs:pairing-list", args=[cb.pk]), None, 302, only({"office_jinan"})),
        ],
        "programs:pairing-create": [
            (
                "post",
                reverse("programs:pairing-create", args=[ca.pk]),
                pairing,
                302,
                # Refused (no such household): the page again, with the form as sent.
                only({"office"}, yes=200),
            ),
        ],
        "programs:household-options": [
            (
                "get",
                reverse("programs:household-options", args=[ca.pk]) + "?household=zs",
                None,
                302,
                only({"office"}),
            ),
        ],
        "programs:pairing-end": [
            (
                "post",
                reverse("programs:pairing-end", args=[ca.pk, pa.pk]),
                {"end": "", "reason": ""},
                302,
                only({"office"}, yes=200),
            ),
        ],
        "programs:pairing-withdraw": [
            (
                "post",
                reverse("programs:pairing-withdraw", args=[ca.pk, pa.pk]),
                {"reason": ""},
                302,
                # Refused (no reason; and this one has begun): the page again.
                only({"office"}, yes=200),
            ),
        ],
        "programs:unit-pairing-withdraw": [
            (
                "post",
                reverse("programs:unit-pairing-withdraw", args=[ca.pk, up_a.pk]),
                {"reason": ""},  # refused: the page again with the error at the field
                302,
                unit_pairing_a_ends(200),
            ),
        ],
        "programs:campaign-withdraw": [
            (
                "post",
                reverse("programs:campaign-withdraw", args=[ca.pk]),
                {"reason": ""},  # refused (no reason; and it has records): back to the campaign
                302,
                {
                    role: 302 if role == "office" else 403 if role in campaign_a_viewers else 404
                    for role in ROLES
                },
            ),
        ],
        "programs:team-detail": [
            (
                "get",
                reverse("programs:team-detail", args=[o["team"].campaign_id, o["team"].pk]),
                None,
                302,
                # A team without members: seen across its campaign's region, by no one's own records.
                only(COUNTY_A_WIDE & PROGRAM_VIEWERS),
            ),
            (
                "post",
                reverse("programs:team-detail", args=[o["team"].campaign_id, o["team"].pk]),
                {"name": ""},  # refused: the page again with the error
                302,
                {**only(COUNTY_A_WIDE & PROGRAM_VIEWERS, yes=403), "office": 200},
            ),
        ],
        "programs:team-dissolve": [
            (
                "post",
                reverse("programs:team-dissolve", args=[o["team"].campaign_id, o["team"].pk]),
                {"dissolved_on": "", "reason": ""},  # refused: the page again with the errors
                302,
                {**only(COUNTY_A_WIDE & PROGRAM_VIEWERS, yes=403), "office": 200},
            ),
        ],
        "programs:team-list": [
            ("get", reverse("programs:team-list", args=[ca.pk]), None, 302, only(campaign_a_readers))
        ],
        "programs:unit-pairing-list": [
            ("get", reverse("programs:unit-pairing-list", args=[ca.pk]), None, 302, only(campaign_a_readers)),
        ],
        "programs:unit-pairing-end": [
            (
                "post",
                reverse("programs:unit-pairing-end", args=[ca.pk, up_a.pk]),
                {"end": "", "reason": ""},  # refused: the page again with the errors at the fields
                302,
                unit_pairing_a_ends(200),
            ),
        ],
        "programs:point-list": [
            ("get", reverse("programs:point-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "programs:point-create": [
            ("post", reverse("programs:point-create"), point, 302, only(OFFICES, yes=200, no=403)),
            # Opened by its address: the list with the form open.
            ("get", reverse("programs:point-create"), None, 302, only(OFFICES, yes=200, no=403)),
        ],
        "programs:point-detail": [
            (
                "get",
                reverse("programs:point-detail", args=[o["point_a"].pk]),
                None,
                302,
                only(point_a_viewers),
            ),
        ],
        "programs:point-regrade": [
            (
                "post",
                reverse("programs:point-regrade", args=[o["point_a"].pk]),
                {},
                302,
                {**only(point_a_viewers, yes=403), "office": 200},
            ),
        ],
        "programs:point-edit": [
            (
                "post",
                reverse("programs:point-edit", args=[o["point_a"].pk]),
                {"name": ""},  # refused: the page again with the error
                302,
                {**only(point_a_viewers, yes=403), "office": 200},
            ),
        ],
        "programs:point-retire": [
            (
                "post",
                reverse("programs:point-retire", args=[o["point_a"].pk]),
                {"retired_on": "", "reason": ""},  # refused: the page again with the errors
                302,
                {**only(point_a_viewers, yes=403), "office": 200},
            ),
        ],
        "programs:cadre-pairings": [
            (
                "get",
                reverse("programs:cadre-pairings", args=[o["cadre_a"].pk]),
                None,
                302,
                {
                    role: (200 if role in COUNTY_A_WIDE else 404 if role in PROGRAM_VIEWERS else 403)
                    for role in ROLES
                },
            ),
        ],
        "programs:cadre-handover": [
            (
                "get",
                reverse("programs:cadre-handover", args=[o["cadre_a"].pk]),
                None,
                302,
                {
                    role: (200 if role == "office" else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
        ],
        "fieldwork:app": [("get", reverse("fieldwork:app"), None, 302, only(PROGRAM_VIEWERS, no=403))],
        "fieldwork:service-worker": [("get", reverse("fieldwork:service-worker"), None, 200, everyone)],
        "fieldwork:visit-list": [
            ("get", reverse("fieldwork:visit-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "fieldwork:visit-detail": [
            ("get", reverse("fieldwork:visit-detail", args=[visit.uuid]), None, 302, only(visit_viewers)),
        ],
        # The visit's own cadre (recorded just now) and the office that manages it; others who
        # see it may not change it; a refused withdrawal (no reason) shows the form again.
        "fieldwork:visit-edit": [
            (
                "get",
                reverse("fieldwork:visit-edit", args=[visit.uuid]),
                None,
                302,
                {
                    role: (200 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "fieldwork:visit-withdraw": [
            (
                "get",
                reverse("fieldwork:visit-withdraw", args=[visit.uuid]),
                None,
                302,
                {
                    role: (200 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
            (
                "post",
                reverse("fieldwork:visit-withdraw", args=[visit.uuid]),
                {"reason": "", "version": visit.version},
                302,
                {
                    role: (200 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "fieldwork:photo": [
            ("get", reverse("fieldwork:photo", args=[photo.uuid]), None, 302, only(visit_viewers))
        ],
        "fieldwork:deed-list": [
            ("get", reverse("fieldwork:deed-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "fieldwork:attendance-pending": [
            ("get", reverse("fieldwork:attendance-pending"), None, 302, only(OFFICES | {"village"}, no=403)),
        ],
        "fieldwork:attendance-decide": [
            (
                "post",
                reverse("fieldwork:attendance-decide", args=[day.pk]),
                {"decision": "confirm"},
                302,
                {
                    role: (302 if role in confirmers else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
        ],
        "fieldwork:attendance-sheet": [
            (
                "get",
                reverse("fieldwork:attendance-sheet", args=[day.point_id, month]),
                None,
                302,
                only(point_a_viewers),
            ),
        ],
        "fieldwork:attendance-sheet-xlsx": [
            (
                "get",
                reverse("fieldwork:attendance-sheet-xlsx", args=[day.point_id, month]),
                None,
                302,
                only(point_a_viewers),
            ),
        ],
        "fieldwork:attendance-sheet-pdf": [
            (
                "get",
                reverse("fieldwork:attendance-sheet-pdf", args=[day.point_id, month]),
                None,
                302,
                only(point_a_viewers),
            ),
        ],
        "fieldwork:report-list": [
            ("get", reverse("fieldwork:report-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        "fieldwork:report-detail": [
            ("get", reverse("fieldwork:report-detail", args=[report.pk]), None, 302, only(report_viewers)),
        ],
        # Imports: the list's permission or 403; a campaign outside the scope is a 404.
        "documents:import-index": [
            (
                "get",
                reverse("documents:import-index"),
                None,
                302,
                only(HOUSEHOLD_EDITORS | {"sysadmin"}, no=403),
            ),
        ],
        "documents:import-start": [
            (
                "get",
                reverse("documents:import-start", args=["households"]),
                None,
                302,
                only(HOUSEHOLD_EDITORS, no=403),
            ),
            ("get", reverse("documents:import-start", args=["cadres"]), None, 302, only(OFFICES, no=403)),
            ("get", reverse("documents:import-start", args=["points"]), None, 302, only(OFFICES, no=403)),
            (
                "get",
                reverse("documents:import-start", args=["regions"]),
                None,
                302,
                only(OFFICES | {"sysadmin"}, no=403),
            ),
            (
                "get",
                reverse("documents:import-start", args=["pairings"]) + f"?campaign={ca.pk}",
                None,
                302,
                {
                    role: (200 if role == "office" else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
            ("get", reverse("documents:import-start", args=["nothing"]), None, 302, only(set())),
            # Pairings without their campaign: to the index to choose one.
            (
                "get",
                reverse("documents:import-start", args=["pairings"]),
                None,
                302,
                only(OFFICES, yes=302, no=403),
            ),
        ],
        "documents:import-confirm": [
            (
                "post",
                reverse("documents:import-confirm", args=["households"]),
                {"token": "x"},
                302,
                only(HOUSEHOLD_EDITORS, yes=302, no=403),
            ),
        ],
        "documents:import-template": [
            (
                "get",
                reverse("documents:import-template", args=["households"]),
                None,
                302,
                only(HOUSEHOLD_EDITORS, no=403),
            ),
            (
                "get",
                reverse("documents:import-template", args=["pairings"]),
                None,
                302,
                only(OFFICES, no=403),
            ),
        ],
        "api-v1:import_list": [
            (
                "post",
                "/api/v1/imports/households?dry_run=true",
                {},
                401,
                only(HOUSEHOLD_EDITORS, yes=422, no=403),
            ),
            (
                "post",
                f"/api/v1/imports/pairings?campaign={cb.pk}",
                {},
                401,
                {
                    role: (404 if role == "office" else 422 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
        ],
        "tickets:ticket-list": [
            ("get", reverse("tickets:ticket-list"), None, 302, only(TICKET_VIEWERS, no=403))
        ],
        "tickets:ticket-mine": [
            ("get", reverse("tickets:ticket-mine"), None, 302, only(TICKET_VIEWERS, no=403))
        ],
        "tickets:ticket-create": [
            ("get", reverse("tickets:ticket-create"), None, 302, only(TICKET_CREATORS, no=403))
        ],
        "tickets:ticket-figures": [
            ("get", reverse("tickets:ticket-figures"), None, 302, only(TICKET_VIEWERS, no=403))
        ],
        "tickets:extension-list": [
            ("get", reverse("tickets:extension-list"), None, 302, only(TICKET_DISPATCHERS, no=403))
        ],
        "tickets:ticket-export": [
            (
                "get",
                reverse("tickets:ticket-export") + f"?campaign={ca.pk}&ledger=hot_hard",
                None,
                302,
                {
                    role: 200 if role in campaign_a_viewers else 404 if role in TICKET_VIEWERS else 403
                    for role in ROLES
                },
            ),
        ],
        "tickets:ticket-detail": [
            ("get", reverse("tickets:ticket-detail", args=[ta.pk]), None, 302, only(ticket_a_viewers)),
            ("get", reverse("tickets:ticket-detail", args=[tb.pk]), None, 302, only({"office_jinan"})),
        ],
        "tickets:ticket-photo": [
            ("get", reverse("tickets:ticket-photo", args=[ta.pk]), None, 302, only(ticket_a_viewers)),
            ("get", reverse("tickets:ticket-photo", args=[tb.pk]), None, 302, only({"office_jinan"})),
        ],
        # The contact's full phone: the unit that handles it and the office that dispatches it;
        # others who see the demand are refused (403), others still do not find it (404).
        "tickets:ticket-reveal": [
            (
                "post",
                reverse("tickets:ticket-reveal", args=[ta.pk]),
                {"reason": "电话联系群众"},
                302,
                {**only({"office", "unit"}), "leader": 403, "inspector": 403, "village": 403},
            ),
            (
                "post",
                reverse("tickets:ticket-reveal", args=[tb.pk]),
                {"reason": "电话联系群众"},
                302,
                only({"office_jinan"}),
            ),
        ],
        "tickets:ticket-act": [
            (
                "post",
                reverse("tickets:ticket-act", args=[ta.pk]),
                {"action": "start", "version": 1},
                302,
                {**only(ticket_a_viewers, yes=302), "village": 403, "inspector": 403},
            ),
        ],
        "tickets:public-intake": [("get", reverse("tickets:public-intake"), None, 200, everyone)],
        "tickets:public-track": [("get", reverse("tickets:public-track"), None, 200, everyone)],
        "open311:discovery": [("get", "/open311/v2/discovery.json", None, 200, everyone)],
        "open311:service-list": [("get", "/open311/v2/services.xml", None, 200, everyone)],
        "open311:service-definition": [
            ("get", f"/open311/v2/services/{ca.pk}-livelihood.json", None, 200, everyone)
        ],
        "open311:request-list": [
            ("get", "/open311/v2/requests.json?jurisdiction_id=431123", None, 200, everyone)
        ],
        "open311:request-detail": [("get", f"/open311/v2/requests/{ta.code}.json", None, 200, everyone)],
        "open311:token-detail": [("get", f"/open311/v2/tokens/{ta.code}.json", None, 200, everyone)],
        # API v1: bearer token or 401. Lists answer 200 with what the scope allows (maybe nothing).
        "api-v1:openapi-json": [("get", "/api/v1/openapi.json", None, 200, everyone)],
        "api-v1:api-root": [("get", "/api/v1/", None, 404, only(set()))],
        "api-v1:list_regions": [("get", "/api/v1/regions", None, 401, everyone)],
        "api-v1:get_region": [
            ("get", f"/api/v1/regions/{o['region_a'].code}", None, 401, only(region_a_viewers)),
            (
                "get",
                f"/api/v1/regions/{o['region_b'].code}",
                None,
                401,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "api-v1:list_units": [("get", "/api/v1/units", None, 401, everyone)],
        "api-v1:get_unit": [
            ("get", f"/api/v1/units/{o['unit_a'].pk}", None, 401, only(unit_a_viewers)),
            (
                "get",
                f"/api/v1/units/{o['unit_b'].pk}",
                None,
                401,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "api-v1:list_cadres": [("get", "/api/v1/cadres", None, 401, everyone)],
        "api-v1:get_cadre": [
            ("get", f"/api/v1/cadres/{o['cadre_a'].pk}", None, 401, only(unit_a_viewers)),
            (
                "get",
                f"/api/v1/cadres/{o['cadre_b'].pk}",
                None,
                401,
                only({"office_jinan", "sysadmin", "secadmin"}),
            ),
        ],
        "api-v1:list_households": [("get", "/api/v1/households", None, 401, everyone)],
        "api-v1:get_household": [
            ("get", f"/api/v1/households/{hh_a.pk}", None, 401, only(people_a)),
            ("get", f"/api/v1/households/{hh_b.pk}", None, 401, only({"office_jinan"})),
        ],
        "api-v1:search_members": [("get", "/api/v1/members?q=zs", None, 401, everyone)],
        "api-v1:list_programs": [("get", "/api/v1/programs", None, 401, everyone)],
        "api-v1:add_program": [
            (
                "json",
                "/api/v1/programs",
                {"text": "key =", "dry_run": True},
                401,
                only(OFFICES, yes=422, no=403),
            )
        ],
        "api-v1:get_program_template": [
            ("get", "/api/v1/programs/dundian/template", None, 401, only(PROGRAM_VIEWERS, no=403))
        ],
        "api-v1:list_campaigns": [("get", "/api/v1/campaigns", None, 401, everyone)],
        "api-v1:start_campaign": [
            (
                "json",
                "/api/v1/campaigns",
                start,
                401,
                {
                    role: (201 if role == "office" else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:set_campaign_units": [
            (
                "json-put",
                f"/api/v1/campaigns/{ca.pk}/units",
                {"units": [o["unit_a"].pk], "reason": "核定参加单位"},
                401,
                {
                    role: (200 if role == "office" else 403 if role in campaign_a_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:get_campaign": [
            ("get", f"/api/v1/campaigns/{ca.pk}", None, 401, only(campaign_a_readers)),
            ("get", f"/api/v1/campaigns/{cb.pk}", None, 401, only({"office_jinan"})),
        ],
        "api-v1:get_compliance": [
            ("get", f"/api/v1/campaigns/{ca.pk}/compliance", None, 401, only(campaign_a_readers))
        ],
        **{
            name: [
                ("get", f"/api/v1/campaigns/{ca.pk}/{tail}", None, 401, dashboard_a),
                ("get", f"/api/v1/campaigns/{cb.pk}/{tail}", None, 401, dashboard_b),
            ]
            for name, tail in (
                ("api-v1:campaign_figures", "figures"),
                ("api-v1:figure_records", "figures/visits"),
                ("api-v1:campaign_document", "documents/weekly?format=docx"),
            )
        },
        "api-v1:list_pairings": [
            ("get", f"/api/v1/campaigns/{ca.pk}/pairings", None, 401, only(campaign_a_readers))
        ],
        "api-v1:list_unit_pairings": [
            ("get", f"/api/v1/campaigns/{ca.pk}/unit-pairings", None, 401, only(campaign_a_readers))
        ],
        "api-v1:end_unit_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/unit-pairings/{up_a.pk}/end",
                {"end": "2000-01-01", "reason": "核对"},  # refused: before the pairing starts
                401,
                unit_pairing_a_ends(422),
            ),
        ],
        "api-v1:create_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/pairings",
                # refused (no such household): the office reaches the checks
                {"cadre": pa.cadre_id, "kind": "bangfu", "household": 0, "start": "2026-05-01"},
                401,
                {
                    role: 422 if role == "office" else 403 if role in campaign_a_viewers else 404
                    for role in ROLES
                },
            ),
        ],
        "api-v1:end_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/pairings/{pa.pk}/end",
                {"end": "2000-01-01", "reason": "核对"},  # refused: before the pairing starts
                401,
                pairing_a_changes(422),
            ),
        ],
        "api-v1:withdraw_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/pairings/{pa.pk}/withdraw",
                {"reason": "核对"},  # refused: it has begun
                401,
                pairing_a_changes(422),
            ),
        ],
        "api-v1:create_unit_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/unit-pairings",
                {"unit": up_a.unit_id, "point": up_a.point_id, "kind": "nope", "start": "2026-05-01"},
                401,
                {
                    role: 422 if role == "office" else 403 if role in campaign_a_viewers else 404
                    for role in ROLES
                },
            ),
        ],
        "api-v1:withdraw_unit_pairing": [
            (
                "json",
                f"/api/v1/campaigns/{ca.pk}/unit-pairings/{up_a.pk}/withdraw",
                {"reason": "核对"},  # refused: it has begun
                401,
                unit_pairing_a_ends(422),
            ),
        ],
        "api-v1:list_points": [("get", "/api/v1/points", None, 401, everyone)],
        "api-v1:retire_point": [
            (
                "json",
                f"/api/v1/points/{o['point_a'].pk}/retire",
                {"retired_on": "2000-01-01", "reason": "核对"},  # refused: before it was entered
                401,
                {**only(point_a_viewers, yes=403), "office": 422},
            ),
        ],
        "api-v1:regrade_point": [
            (
                "json",
                f"/api/v1/points/{o['point_a'].pk}/regrade",
                {"grade": "first", "graded_on": "2999-01-01", "reason": "核对"},  # refused: a day to come
                401,
                {**only(point_a_viewers, yes=403), "office": 422},
            ),
        ],
        "api-v1:dissolve_team": [
            (
                "json",
                f"/api/v1/teams/{o['team'].pk}/dissolve",
                {"dissolved_on": "2000-01-01", "reason": "核对"},  # refused: before its campaign
                401,
                {**only(COUNTY_A_WIDE & PROGRAM_VIEWERS, yes=403), "office": 422},
            ),
        ],
        "api-v1:my_targets": [("get", "/api/v1/me/targets", None, 401, everyone)],
        "api-v1:sync": [
            (
                "json-put",
                f"/api/v1/sync/visit/{uuidlib.uuid4()}",
                sync_payload,
                401,
                {role: (201 if role in recorders else 422) for role in ROLES},
            ),
        ],
        "api-v1:list_visits": [("get", "/api/v1/visits", None, 401, everyone)],
        "api-v1:get_visit": [("get", f"/api/v1/visits/{visit.uuid}", None, 401, only(visit_viewers))],
        # Refused changes (a date outside the campaign, no reason): 422 for those who may change it.
        "api-v1:correct_visit": [
            (
                "json-put",
                f"/api/v1/visits/{visit.uuid}",
                {"date": "2000-01-01", "form": "home_visit", "base_version": visit.version},
                401,
                {
                    role: (422 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:withdraw_visit": [
            (
                "json",
                f"/api/v1/visits/{visit.uuid}/withdrawal",
                {"reason": "", "base_version": visit.version},
                401,
                {
                    role: (422 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:add_photo": [
            (
                "post",
                f"/api/v1/visits/{visit.uuid}/photos",
                {"file": jpeg()},
                401,
                {role: (201 if role == "cadre" else 403 if role in visit_viewers else 404) for role in ROLES},
            ),
        ],
        "api-v1:get_photo": [("get", f"/api/v1/photos/{photo.uuid}", None, 401, only(visit_viewers))],
        "api-v1:decide_attendance": [
            (
                "json",
                f"/api/v1/attendance/{o['day2'].pk}/decision",
                {"confirm": True},
                401,
                {
                    role: (200 if role in confirmers else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:draft_report": [
            (
                "json",
                "/api/v1/reports/monthly",
                {"campaign": ca.pk, "month": "2026-07-01"},
                401,
                {
                    role: (200 if role in recorders else 404 if role in {"unit", "office_jinan"} else 422)
                    for role in ROLES
                },
            ),
        ],
        "api-v1:submit_report": [
            (
                "json-put",
                f"/api/v1/reports/monthly/{report.pk}",
                {"text": "六月份工作", "base_version": 1},
                401,
                {
                    role: (200 if role == "cadre" else 403 if role in report_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        **field_pages(o, visit_viewers),
        # Security: the sign-in steps are for everyone signed in; the three administrators'
        # pages for exactly one administrator each.
        "security:password-change": [("get", reverse("security:password-change"), None, 302, everyone)],
        "security:otp-verify": [("get", reverse("security:otp-verify"), None, 302, only(set(), no=302))],
        "security:otp-enrol": [("get", reverse("security:otp-enrol"), None, 302, everyone)],
        "security:account-list": [("get", reverse("security:account-list"), None, 302, sysadmin_only)],
        "security:account-create": [("get", reverse("security:account-create"), None, 302, sysadmin_only)],
        "security:account-detail": [
            ("get", reverse("security:account-detail", args=[account.pk]), None, 302, sysadmin_only),
            (
                "get",
                reverse("security:account-detail", args=[999999]),
                None,
                302,
                {**sysadmin_only, "sysadmin": 404},
            ),
        ],
        "security:token-revoke": [
            # Another account's token under this account's address is no token of it.
            (
                "post",
                reverse("security:token-revoke", args=[o["api_token"].account_id + 1, o["api_token"].pk]),
                {},
                302,
                {**sysadmin_only, "sysadmin": 404},
            ),
            (
                "post",
                reverse("security:token-revoke", args=[account.pk, o["api_token"].pk]),
                {"confirm": o["api_token"].prefix},
                302,
                sysadmin_acts,
            ),
        ],
        "security:account-reset": [
            (
                "post",
                reverse("security:account-reset", args=[account.pk]),
                {"confirm": account.username},
                302,
                sysadmin_only,
            )
        ],
        "security:account-otp-reset": [
            (
                "post",
                reverse("security:account-otp-reset", args=[account.pk]),
                {"confirm": account.username},
                302,
                sysadmin_acts,
            )
        ],
        "security:account-disable": [
            (
                "post",
                reverse("security:account-disable", args=[account.pk]),
                {"confirm": account.username},
                302,
                sysadmin_acts,
            )
        ],
        "security:account-enable": [
            ("post", reverse("security:account-enable", args=[account.pk]), {}, 302, sysadmin_acts)
        ],
        "security:grant-list": [("get", reverse("security:grant-list"), None, 302, secadmin_only)],
        "security:grant-edit": [
            ("get", reverse("security:grant-edit", args=[account.pk]), None, 302, secadmin_only),
            (
                "get",
                reverse("security:grant-edit", args=[999999]),
                None,
                302,
                {**secadmin_only, "secadmin": 404},
            ),
        ],
        "security:grant-revoke": [
            (
                "post",
                reverse("security:grant-revoke", args=[account.pk]),
                {"role": "cadre", "confirm": "cadre"},
                302,
                {**secadmin_only, "secadmin": 302},
            )
        ],
        "security:audit-list": [
            ("get", reverse("security:audit-list"), None, 302, only({"auditor"}, no=403))
        ],
        # Exports: a masked roster for whoever views households; a full export's decision
        # only for someone who may unmask all of it, its download only for its requester.
        "exports:household-export": [
            ("get", reverse("exports:household-export"), None, 302, only(PEOPLE_VIEWERS, no=403))
        ],
        "exports:request-list": [
            ("get", reverse("exports:request-list"), None, 302, only(PEOPLE_VIEWERS, no=403))
        ],
        "exports:request-create": [
            (
                "post",
                reverse("exports:request-create"),
                {"reason": "核对困难户台账"},
                302,
                only(PEOPLE_VIEWERS, yes=302, no=403),
            )
        ],
        "exports:request-approve": [
            ("post", reverse("exports:request-approve", args=[export.pk]), {}, 302, only({"office"}, yes=302))
        ],
        "exports:request-refuse": [
            ("post", reverse("exports:request-refuse", args=[export.pk]), {}, 302, only({"office"}, yes=302))
        ],
        "exports:request-download": [
            (
                "get",
                reverse("exports:request-download", args=[export.pk]),
                None,
                302,
                only({"leader"}, yes=302),
            )
        ],
        "api-v1:export_households": [
            ("get", "/api/v1/exports/households", None, 401, only(PEOPLE_VIEWERS, no=403))
        ],
        "api-v1:create_export_request": [
            (
                "json",
                "/api/v1/exports",
                {"reason": "核对困难户台账"},
                401,
                only(PEOPLE_VIEWERS, yes=201, no=403),
            )
        ],
        "api-v1:download_export": [
            ("get", f"/api/v1/exports/{export.pk}/file", None, 401, only({"leader"}, yes=400))
        ],
        "api-v1:list_tickets": [("get", "/api/v1/tickets", None, 401, everyone)],
        "api-v1:ticket_rates": [("get", "/api/v1/tickets/rates", None, 401, everyone)],
        "api-v1:get_ticket": [
            ("get", f"/api/v1/tickets/{ta.pk}", None, 401, only(ticket_a_viewers)),
            ("get", f"/api/v1/tickets/{tb.pk}", None, 401, only({"office_jinan"})),
        ],
        "api-v1:create_ticket": [
            (
                "json",
                "/api/v1/tickets",
                new_ticket,
                401,
                {**only(set(), no=403), "office": 201, "cadre": 404, "village": 404, "office_jinan": 404},
            ),
        ],
        "api-v1:reveal_contact": [
            (
                "json",
                f"/api/v1/tickets/{ta.pk}/contact/reveal",
                {"reason": "电话联系群众"},
                401,
                {**only({"office", "unit"}), "leader": 403, "inspector": 403, "village": 403},
            ),
            (
                "json",
                f"/api/v1/tickets/{tb.pk}/contact/reveal",
                {"reason": "电话联系群众"},
                401,
                only({"office_jinan"}),
            ),
        ],
        "api-v1:act_on_ticket": [
            (
                "json",
                f"/api/v1/tickets/{ta.pk}/actions",
                {"action": "start", "version": 1},
                401,
                {**only(set()), "office": 422, "leader": 422, "unit": 422, "village": 403, "inspector": 403},
            ),
        ],
        **appraisal_cases(o),
        **assessment_cases(o),
    }


def appraisal_objects():
    """A round of county A (one household answered in another, released round), an inspection
    of the demo cadre with an action the cadre owns, and a case about the cadre."""
    import datetime as dt

    from minqing.appraisal import services

    office, cadre = Account.objects.get(username="office"), Account.objects.get(username="cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    appraisal_round = services.round_draw(
        actor=office, campaign=campaign, period="2026-11", per_cadre=1, seed=1
    )
    released = services.round_draw(actor=office, campaign=campaign, period="2026-10", per_cadre=1, seed=2)
    services.callback_record(
        actor=office,
        sample=released.samples.exclude(cadre__account=office).first(),
        status="answered",
        verdict="satisfied",
    )
    services.round_release(actor=office, appraisal_round=released)
    inspection = services.inspection_record(
        actor=Account.objects.get(username="inspector"),
        campaign=campaign,
        kind="open",
        date=dt.date(2026, 6, 1),
        cadre=cadre.cadre,
        findings="记录完整",
        rating="good",
        actions=[{"text": "补记两户", "owner": cadre.cadre, "deadline": dt.date(2026, 6, 15)}],
    )
    case = services.case_nominate(
        actor=Account.objects.get(username="leader"),
        campaign=campaign,
        title="好干部",
        story="事迹",
        cadre=cadre.cadre,
    )
    return {
        "round_a": appraisal_round,
        "round_released": released,
        "sample_a": appraisal_round.samples.exclude(cadre__account=office).first(),
        "inspection_a": inspection,
        "action_a": inspection.actions.get(),
        "case_a": case,
    }


def appraisal_cases(o):
    r, sample, inspection, action, case = (
        o["round_a"],
        o["sample_a"],
        o["inspection_a"],
        o["action_a"],
        o["case_a"],
    )
    ca = o["campaign_a"]
    viewers = {"office", "office_jinan", "leader", "inspector"}
    county_a = {"office", "leader", "inspector"}
    manage_a = {**only(set(), no=403), "office": 200, "office_jinan": 404}
    inspection_viewers = {"office", "office_jinan", "leader", "cadre", "inspector"}
    inspection_a = {"office", "leader", "inspector", "cadre"}
    recorders = {"office", "office_jinan", "inspector"}
    nominators = {"office", "office_jinan", "leader", "inspector"}
    everyone = only(set(ROLES))
    return {
        "appraisal:round-list": [("get", reverse("appraisal:round-list"), None, 302, only(viewers, no=403))],
        "appraisal:round-draw": [
            (
                "post",
                reverse("appraisal:round-draw"),
                {"campaign": ca.pk, "period": "bad"},
                302,
                # Refused (a bad period): the page again, with the form as sent.
                {**only(set(), no=403), "office": 200, "office_jinan": 404},
            )
        ],
        "appraisal:round-detail": [
            ("get", reverse("appraisal:round-detail", args=[r.pk]), None, 302, only(county_a))
        ],
        "appraisal:round-samples": [
            ("get", reverse("appraisal:round-samples", args=[r.pk]), None, 302, manage_a)
        ],
        "appraisal:round-release": [
            (
                "post",
                reverse("appraisal:round-release", args=[r.pk]),
                {},
                302,
                {**only(set(), no=403), "office": 302, "office_jinan": 404},
            )
        ],
        "appraisal:publication": [
            ("get", reverse("appraisal:publication", args=[r.pk]), None, 302, only(county_a))
        ],
        "appraisal:publication-pdf": [
            ("get", reverse("appraisal:publication-pdf", args=[r.pk]), None, 302, only(county_a))
        ],
        "appraisal:sample-callback": [
            ("get", reverse("appraisal:sample-callback", args=[sample.pk]), None, 302, only({"office"}))
        ],
        "appraisal:sample-link": [
            ("post", reverse("appraisal:sample-link", args=[sample.pk]), {}, 302, only({"office"}))
        ],
        "appraisal:public-answer": [
            ("get", reverse("appraisal:public-answer", args=["not-a-token"]), None, 410, only(set(), no=410))
        ],
        "appraisal:public-publication": [
            (
                "get",
                reverse("appraisal:public-publication", args=[o["round_released"].pk]),
                None,
                200,
                everyone,
            ),
            ("get", reverse("appraisal:public-publication", args=[r.pk]), None, 404, only(set())),
        ],
        "appraisal:inspection-list": [
            ("get", reverse("appraisal:inspection-list"), None, 302, only(inspection_viewers, no=403))
        ],
        "appraisal:inspection-create": [
            ("get", reverse("appraisal:inspection-create"), None, 302, only(recorders, no=403))
        ],
        "appraisal:inspection-detail": [
            (
                "get",
                reverse("appraisal:inspection-detail", args=[inspection.pk]),
                None,
                302,
                only(inspection_a),
            )
        ],
        "appraisal:action-add": [
            (
                "post",
                reverse("appraisal:action-add", args=[inspection.pk]),
                {"text": ""},
                302,
                {**only(set(), no=403), "office": 302, "inspector": 302, "office_jinan": 404},
            )
        ],
        "appraisal:action-done": [
            (
                "post",
                reverse("appraisal:action-done", args=[action.pk]),
                {},
                302,
                {**only({"office", "inspector", "cadre"}, yes=302), "leader": 403},
            )
        ],
        "appraisal:case-list": [
            ("get", reverse("appraisal:case-list"), None, 302, only(inspection_viewers, no=403))
        ],
        "appraisal:case-create": [
            ("get", reverse("appraisal:case-create"), None, 302, only(nominators, no=403))
        ],
        "appraisal:case-detail": [
            ("get", reverse("appraisal:case-detail", args=[case.pk]), None, 302, only(county_a | {"cadre"}))
        ],
        "appraisal:case-decide": [
            (
                "post",
                reverse("appraisal:case-decide", args=[case.pk]),
                {"step": "select"},
                302,
                {**only(set(), no=403), "office": 302, "office_jinan": 404},
            )
        ],
        "api-v1:list_rounds": [("get", "/api/v1/appraisal/rounds", None, 401, everyone)],
        "api-v1:draw_round": [
            (
                "json",
                "/api/v1/appraisal/rounds",
                {"campaign": ca.pk, "period": "bad"},
                401,
                {**only(set(), no=403), "office": 422, "office_jinan": 404},
            )
        ],
        "api-v1:round_results": [
            ("get", f"/api/v1/appraisal/rounds/{r.pk}/results", None, 401, only(county_a))
        ],
        "api-v1:round_samples": [("get", f"/api/v1/appraisal/rounds/{r.pk}/samples", None, 401, manage_a)],
        "api-v1:record_callback": [
            (
                "json",
                f"/api/v1/appraisal/samples/{sample.pk}/callback",
                {"status": "pending"},
                401,
                {**only(set()), "office": 422},
            )
        ],
        "api-v1:release_round": [
            (
                "json",
                f"/api/v1/appraisal/rounds/{r.pk}/release",
                {},
                401,
                {**only(set(), no=403), "office": 422, "office_jinan": 404},
            )
        ],
        "api-v1:list_inspections": [("get", "/api/v1/inspections", None, 401, everyone)],
        "api-v1:create_inspection": [
            (
                "json",
                "/api/v1/inspections",
                {"campaign": ca.pk, "kind": "bad", "date": "2026-06-01", "findings": "x", "rating": "good"},
                401,
                {**only(set(), no=403), "office": 422, "inspector": 422, "office_jinan": 404},
            )
        ],
        "api-v1:done_action": [
            (
                "json",
                f"/api/v1/inspections/actions/{action.pk}/done",
                {},
                401,
                # The page case before has done it: 422 "already done" for those who may.
                {**only({"office", "inspector", "cadre"}, yes=422), "leader": 403},
            )
        ],
        "api-v1:list_cases": [("get", "/api/v1/exemplary-cases", None, 401, everyone)],
        "api-v1:nominate_case": [
            (
                "json",
                "/api/v1/exemplary-cases",
                {
                    "campaign": ca.pk,
                    "subject": "cadre",
                    "subject_id": case.cadre_id,
                    "title": "",
                    "story": "",
                },
                401,
                {**only(set(), no=403), "office": 422, "leader": 422, "inspector": 422, "office_jinan": 404},
            )
        ],
        "api-v1:decide_case": [
            (
                "json",
                f"/api/v1/exemplary-cases/{case.pk}/decide",
                {"step": "reject"},
                401,
                {**only(set(), no=403), "office": 200, "office_jinan": 404},
            )
        ],
    }


def assessment_cases(o):
    """Assessment, recall and leaders' records: viewers hold assessment.view (a cadre sees only
    their own result and record), offices manage, the leading group (leaders) approves recalls."""
    ca, cb = o["campaign_a"], o["campaign_b"]
    ra, rb, rec_a, rec_p, rec_b = o["result_a"], o["result_b"], o["recall_a"], o["recall_p"], o["recall_b"]
    la, lb = o["record_a"], o["record_b"]
    viewers = {"office", "office_jinan", "leader", "cadre", "inspector"}

    def allowed(yes: set, not_found: set, ok=200):
        return {r: ok if r in yes else 404 if r in not_found else 403 for r in ROLES}

    county_a = allowed({"office", "leader", "cadre", "inspector"}, {"office_jinan"})
    county_a_no_cadre = allowed({"office", "leader", "inspector"}, {"office_jinan", "cadre"})
    county_b = allowed({"office_jinan"}, {"office", "leader", "cadre", "inspector"})
    office_a = allowed({"office"}, {"office_jinan"})
    office_a_acts = allowed({"office"}, {"office_jinan"}, ok=302)
    return {
        "assessment:campaign-assessment": [
            ("get", reverse("assessment:campaign-assessment", args=[ca.pk]), None, 302, county_a),
            ("get", reverse("assessment:campaign-assessment", args=[cb.pk]), None, 302, county_b),
        ],
        "assessment:assessment-run": [
            (
                "post",
                reverse("assessment:assessment-run", args=[ca.pk]),
                {"period": "2026"},
                302,
                office_a_acts,
            )
        ],
        "assessment:weights-edit": [
            ("get", reverse("assessment:weights-edit", args=[ca.pk]), None, 302, office_a)
        ],
        "assessment:recall-rule-edit": [
            (
                "post",
                reverse("assessment:recall-rule-edit", args=[ca.pk]),
                {"absences_at_least": "4"},
                302,
                office_a_acts,
            )
        ],
        "assessment:recall-propose": [
            (
                "post",
                reverse("assessment:recall-propose", args=[ca.pk]),
                {"cadre": o["cadre_a"].pk, "note": "不在岗"},
                302,
                office_a_acts,
            )
        ],
        "assessment:cadre-assessment": [
            ("get", reverse("assessment:cadre-assessment", args=[ra.cadre_id]), None, 302, county_a),
            ("get", reverse("assessment:cadre-assessment", args=[rb.cadre_id]), None, 302, county_b),
        ],
        "assessment:result-detail": [
            ("get", reverse("assessment:result-detail", args=[ra.pk]), None, 302, county_a),
            ("get", reverse("assessment:result-detail", args=[rb.pk]), None, 302, county_b),
        ],
        "assessment:result-pdf": [
            ("get", reverse("assessment:result-pdf", args=[ra.pk]), None, 302, county_a)
        ],
        "assessment:recall-list": [
            ("get", reverse("assessment:recall-list"), None, 302, allowed(viewers, set())),
        ],
        "assessment:recall-detail": [
            ("get", reverse("assessment:recall-detail", args=[rec_a.pk]), None, 302, county_a_no_cadre),
            ("get", reverse("assessment:recall-detail", args=[rec_b.pk]), None, 302, county_b),
        ],
        "assessment:recall-act": [
            (
                "post",
                reverse("assessment:recall-act", args=[rec_p.pk]),
                {"action": "approve"},
                302,
                {**allowed({"leader"}, {"office_jinan"}, ok=302), "office": 403},
            )
        ],
        "assessment:recall-notice": [
            (
                "get",
                reverse("assessment:recall-notice", args=[rec_a.pk, "docx"]),
                None,
                302,
                county_a_no_cadre,
            )
        ],
        "assessment:leader-record-list": [
            ("get", reverse("assessment:leader-record-list"), None, 302, allowed(viewers, set())),
        ],
        "assessment:leader-record-draft": [
            (
                "post",
                reverse("assessment:leader-record-draft"),
                {"kind": "weekly", "day": "2026-06-10"},
                302,
                allowed({"office", "office_jinan", "leader"}, set(), ok=302),
            )
        ],
        # Their own weekly record: the page for whoever sees leaders' records; writing for the
        # account's own cadre (office_jinan's is a 晋安区 principal the demo 三服务 rule asks;
        # the office and the leader are told no campaign asks them; a cadre without one 403).
        "assessment:leader-record-write": [
            ("get", reverse("assessment:leader-record-write"), None, 302, only(viewers | {"cadre"}, no=403)),
            (
                "post",
                reverse("assessment:leader-record-write"),
                {"day": "2026-06-10", "text": "走访企业一家"},
                302,
                {**only({"office", "leader"}, no=403), "office_jinan": 302},
            ),
        ],
        "assessment:leader-record-detail": [
            ("get", reverse("assessment:leader-record-detail", args=[la.pk]), None, 302, county_a_no_cadre),
            ("get", reverse("assessment:leader-record-detail", args=[lb.pk]), None, 302, county_b),
        ],
        "assessment:leader-record-document": [
            (
                "get",
                reverse("assessment:leader-record-document", args=[la.pk, "pdf"]),
                None,
                302,
                county_a_no_cadre,
            )
        ],
        "api-v1:list_assessment_results": [
            ("get", f"/api/v1/assessment/campaigns/{ca.pk}/results?period=2026", None, 401, county_a)
        ],
        "api-v1:run_assessment": [
            (
                "json",
                "/api/v1/assessment/runs",
                {"campaign": ca.pk, "period": "2026"},
                401,
                allowed({"office"}, {"office_jinan"}, ok=201),
            )
        ],
        "api-v1:list_at_risk": [
            ("get", f"/api/v1/assessment/campaigns/{ca.pk}/at-risk", None, 401, county_a)
        ],
        "api-v1:list_recalls": [("get", "/api/v1/recalls", None, 401, only(set(ROLES)))],
        "api-v1:propose_recall": [
            (
                "json",
                "/api/v1/recalls",
                {"campaign": ca.pk, "cadre": o["cadre_free"].pk, "note": "不在岗"},
                401,
                allowed({"office"}, {"office_jinan"}, ok=201),
            )
        ],
        "api-v1:act_on_recall": [
            (
                "json",
                f"/api/v1/recalls/{o['recall_q'].pk}/act",
                {"action": "approve"},
                401,
                {**allowed({"leader"}, {"office_jinan"}), "office": 403},
            )
        ],
        "api-v1:list_leader_records": [("get", "/api/v1/leader-records", None, 401, only(set(ROLES)))],
        "api-v1:write_weekly_record": [
            (
                "json",
                "/api/v1/leader-records/weekly",
                {"day": "2026-06-17", "text": "走访企业一家"},
                401,
                {**only(set(), no=403), "office": 422, "leader": 422, "office_jinan": 201},
            )
        ],
    }


def test_every_url_pattern_has_a_case(objects):
    assert url_names() == set(cases(objects)), "add a case for every new URL to tests/test_url_auth.py"


def test_public_urls_are_exactly_the_allowlist(objects, client):
    public = set()
    for name, variants in cases(objects).items():
        method, path, data, anonymous, _ = variants[0]
        if method in ("json", "json-put"):
            response = getattr(client, "post" if method == "json" else "put")(
                path, data, content_type="application/json"
            )
        else:
            response = getattr(client, method)(path, data or {})
        to_login = response.status_code == 302 and response["Location"].startswith("/login/")
        if not (to_login or response.status_code == 401):
            public.add(name)
    # /api/v1/ itself is no view, only django-ninja's 404.
    assert public - {"api-v1:api-root"} == PUBLIC


@pytest.mark.parametrize("role", [None, *ROLES])
def test_each_role_gets_exactly_what_its_scope_allows(objects, role, client, settings):
    # One token walks every API case: more than a minute's budget of a real client.
    settings.API_RATE = "1000/minute"
    if role is not None:
        account = Account.objects.get(username=role)
        client.force_login(account)
        token = token_create(actor=None, account=account)
    failures = []
    for name, variants in cases(objects).items():
        for method, path, data, anonymous, by_role in variants:
            expected = anonymous if role is None else by_role[role]
            headers = {}
            if path.startswith("/api/") and role is not None:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            if method == "json":
                response = client.post(path, data, content_type="application/json", **headers)
            elif method == "json-put":
                response = client.put(path, data, content_type="application/json", **headers)
            else:
                response = getattr(client, method)(path, data or {}, **headers)
            if response.status_code != expected:
                failures.append(
                    f"{role or 'anonymous'} {method.upper()} {path} ({name}): {response.status_code}, expected {expected}"
                )
            if role is None and expected == 302 and name not in PUBLIC:
                assert response["Location"].startswith("/login/"), path
            if role is not None and name in ("web:logout", "set_language"):
                client.force_login(Account.objects.get(username=role))
    assert not failures, "\n".join(failures)


def test_api_lists_are_empty_for_roles_without_the_permission(client_as, db):
    for role, path in [
        ("unit", "/api/v1/households"),
        ("auditor", "/api/v1/regions"),
        ("auditor", "/api/v1/cadres"),
        ("sysadmin", "/api/v1/households"),
    ]:
        token = token_create(actor=None, account=Account.objects.get(username=role))
        response = client_as(None).get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200 and response.json()["count"] == 0, (role, path)


def test_a_bad_token_is_refused(client, db):
    assert client.get("/api/v1/regions", HTTP_AUTHORIZATION="Bearer mq_nonsense").status_code == 401


def test_a_cadre_sees_exactly_the_households_paired_with_them(client_as, db):
    paired = set(
        Pairing.objects.filter(cadre__account__username="cadre", household__isnull=False).values_list(
            "household_id", flat=True
        )
    )
    token = token_create(actor=None, account=Account.objects.get(username="cadre"))
    response = client_as(None).get("/api/v1/households?size=200", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert paired and {item["id"] for item in response.json()["items"]} == paired


def field_pages(o, visit_viewers):
    """Help plans, incidents, relief, team summaries and research reports: pages and API."""
    plan, commitment, team, cadre, ca = (
        o["plan"],
        o["commitment"],
        o["team"],
        o["cadre_record"],
        o["campaign_a"],
    )
    viewers = only(PROGRAM_VIEWERS, no=403)
    county_a = COUNTY_A_WIDE
    # A work log is read in the scope of its point's village and its cadre's unit.
    worklog_viewers = (
        COUNTY_A_WIDE
        | {"cadre"}
        | ({"village"} if o["worklog"].point.region_id.startswith(o["region_a"].code) else set())
    )
    cadre_viewers = {
        role: (200 if role in COUNTY_A_WIDE | {"cadre"} else 404 if role in PROGRAM_VIEWERS else 403)
        for role in ROLES
    }
    period = f"?campaign={ca.pk}"
    activity = o["activity"]
    # Seen where its campaign's county is (it names no point) and by its organizer; changed by
    # the organizer (recorded just now) and the office that manages it.
    activity_viewers = COUNTY_A_WIDE | {"cadre"}
    activity_changers = {
        role: (200 if role in {"cadre", "office"} else 403 if role in activity_viewers else 404)
        for role in ROLES
    }
    campaign_a_activities = {
        role: 200 if role in COUNTY_A_WIDE | {"cadre", "village"} else 404 if role in PROGRAM_VIEWERS else 403
        for role in ROLES
    }
    return {
        "fieldwork:activity-list": [
            ("get", reverse("fieldwork:activity-list"), None, 302, viewers),
            ("get", reverse("fieldwork:activity-list") + period, None, 302, campaign_a_activities),
        ],
        "fieldwork:activity-export": [
            ("get", reverse("fieldwork:activity-export") + period, None, 302, campaign_a_activities),
        ],
        "fieldwork:activity-detail": [
            (
                "get",
                reverse("fieldwork:activity-detail", args=[activity.uuid]),
                None,
                302,
                only(activity_viewers),
            ),
        ],
        "fieldwork:activity-edit": [
            ("get", reverse("fieldwork:activity-edit", args=[activity.uuid]), None, 302, activity_changers),
        ],
        "fieldwork:activity-withdraw": [
            (
                "get",
                reverse("fieldwork:activity-withdraw", args=[activity.uuid]),
                None,
                302,
                activity_changers,
            ),
            (
                "post",
                reverse("fieldwork:activity-withdraw", args=[activity.uuid]),
                {"reason": "", "version": activity.version},
                302,
                activity_changers,
            ),
        ],
        "api-v1:list_activities": [
            ("get", "/api/v1/activities", None, 401, only(set(ROLES))),
            ("get", f"/api/v1/activities{period}", None, 401, only(COUNTY_A_WIDE | {"cadre", "village"})),
        ],
        "fieldwork:index": [("get", reverse("fieldwork:index"), None, 302, viewers)],
        "fieldwork:plan-list": [("get", reverse("fieldwork:plan-list"), None, 302, viewers)],
        "fieldwork:plan-detail": [
            ("get", reverse("fieldwork:plan-detail", args=[plan.pk]), None, 302, only(visit_viewers)),
            (
                "post",
                reverse("fieldwork:plan-detail", args=[plan.pk]),
                {"id": commitment.pk, "progress": 10},
                302,
                {
                    role: (302 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            ),
        ],
        "fieldwork:incident-list": [("get", reverse("fieldwork:incident-list"), None, 302, viewers)],
        "fieldwork:relief-list": [("get", reverse("fieldwork:relief-list"), None, 302, viewers)],
        "fieldwork:team-summary-list": [("get", reverse("fieldwork:team-summary-list"), None, 302, viewers)],
        "fieldwork:team-summary": [
            ("get", reverse("fieldwork:team-summary", args=[team.pk]), None, 302, only(county_a)),
        ],
        "fieldwork:research-cadre": [
            ("get", reverse("fieldwork:research-cadre", args=[cadre.pk]), None, 302, cadre_viewers),
        ],
        "fieldwork:research-cadre-docx": [
            (
                "get",
                reverse("fieldwork:research-cadre-docx", args=[cadre.pk]),
                None,
                302,
                cadre_viewers,
            ),
        ],
        "fieldwork:research-team": [
            ("get", reverse("fieldwork:research-team", args=[team.pk]), None, 302, only(county_a)),
        ],
        "fieldwork:research-team-docx": [
            ("get", reverse("fieldwork:research-team-docx", args=[team.pk]), None, 302, only(county_a)),
        ],
        "api-v1:list_plans": [("get", "/api/v1/plans", None, 401, only(set(ROLES)))],
        "api-v1:get_plan": [("get", f"/api/v1/plans/{plan.pk}", None, 401, only(visit_viewers))],
        "api-v1:create_plan": [
            (
                "json",
                "/api/v1/plans",
                {
                    "campaign": ca.pk,
                    "target_type": "household",
                    "target_id": 0,
                    "title": "x",
                    "deadline": "2027-01-01",
                },
                401,
                {
                    role: (
                        422
                        if role in {"cadre", "office", "leader", "inspector"}
                        else 404
                        if role == "office_jinan"
                        else 403
                    )
                    for role in ROLES
                },
            )
        ],
        "api-v1:add_commitment": [
            (
                "json",
                f"/api/v1/plans/{plan.pk}/commitments",
                {"title": "验收", "due": "2027-06-01"},
                401,
                {
                    role: (201 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            )
        ],
        "api-v1:set_progress": [
            (
                "json-put",
                f"/api/v1/commitments/{commitment.pk}/progress",
                {"progress": 20},
                401,
                {
                    role: (200 if role in {"cadre", "office"} else 403 if role in visit_viewers else 404)
                    for role in ROLES
                },
            )
        ],
        "api-v1:list_incidents": [("get", "/api/v1/incidents", None, 401, only(set(ROLES)))],
        "api-v1:create_incident": [
            (
                "json",
                "/api/v1/incidents",
                {
                    "campaign": ca.pk,
                    "point": o["point_a"].pk,
                    "kind": "nope",
                    "date": "2026-06-01",
                    "description": "x",
                },
                401,
                {
                    role: (422 if role in {"office", "village"} else 404 if role == "office_jinan" else 403)
                    for role in ROLES
                },
            )
        ],
        "api-v1:list_relief": [("get", "/api/v1/relief", None, 401, only(set(ROLES)))],
        # Work logs: everyone lists (the scope decides what); a cadre writes at their own points,
        # anyone else is refused with a message.
        "api-v1:list_worklogs": [("get", "/api/v1/worklogs", None, 401, only(set(ROLES)))],
        "api-v1:create_worklog": [
            (
                "json",
                "/api/v1/worklogs",
                {"point": o["worklog"].point_id, "date": "2026-06-05", "content": "驻点"},
                401,
                {role: (201 if role == "cadre" else 422) for role in ROLES},
            )
        ],
        "fieldwork:worklog-list": [
            ("get", reverse("fieldwork:worklog-list"), None, 302, only(PROGRAM_VIEWERS, no=403))
        ],
        # Its own cadre corrects a log; who else sees it may not (403); the rest get a 404.
        "fieldwork:worklog-edit": [
            (
                "get",
                reverse("fieldwork:worklog-edit", args=[o["worklog"].pk]),
                None,
                302,
                {
                    role: (200 if role == "cadre" else 403 if role in worklog_viewers else 404)
                    for role in ROLES
                },
            )
        ],
        "api-v1:get_team_summary": [
            ("get", f"/api/v1/teams/{team.pk}/summary", None, 401, only(county_a)),
        ],
        "api-v1:put_team_summary": [
            (
                "json-put",
                f"/api/v1/teams/{team.pk}/summary",
                {"text": "总结"},
                401,
                {role: (200 if role == "office" else 403 if role in county_a else 404) for role in ROLES},
            )
        ],
        "api-v1:research_cadre": [
            ("get", f"/api/v1/research/cadres/{cadre.pk}{period}", None, 401, cadre_viewers),
        ],
        "api-v1:research_team": [
            ("get", f"/api/v1/research/teams/{team.pk}", None, 401, only(county_a)),
        ],
    }
