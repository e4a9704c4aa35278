"""Every page and API response, seen by roles without the unmask permission, shows
no full ID number and no full phone number."""

import re

import pytest

from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.people.models import Member

FULL_ID = re.compile(r"(?<![\d])[1-9]\d{16}[\dXx](?![\d])")
FULL_MOBILE = re.compile(r"(?<![\d])1[3-9]\d{9}(?![\d])")


def leaks(text: str) -> list[str]:
    return FULL_ID.findall(text) + FULL_MOBILE.findall(text)


@pytest.mark.parametrize("role", ["leader", "village", "inspector", "cadre", "office_jinan", "office"])
def test_no_page_or_api_response_shows_a_full_identifier(db, client, role):
    account = Account.objects.get(username=role)
    client.force_login(account)
    token = token_create(actor=None, account=account)
    member = (
        Member.objects.exclude(id_number=None)
        .exclude(phone=None)
        .filter(household__region__code__startswith="431123")
        .first()
    )
    from minqing.people.models import Household

    paths = {
        "/",
        "/people/households/",
        "/people/households/?q=zs",
        "/people/households/?q=困難戶",
        f"/people/households/?q={member.id_number.reveal()}",
        f"/people/households/?q={member.phone.reveal()}",
        f"/people/households/{member.household_id}/",
        "/org/cadres/",
        "/org/units/",
        "/geo/regions/",
        "/api/v1/households",
        f"/api/v1/households/{member.household_id}",
        "/api/v1/members?q=zs",
        f"/api/v1/members?q={member.id_number.reveal()}",
        f"/api/v1/members?q={member.phone.reveal()}",
        "/api/v1/cadres",
        "/api/v1/openapi.json",
    }
    from minqing.tickets.models import Ticket

    paths |= {"/tickets/", "/tickets/mine/", "/api/v1/tickets", "/tickets/figures/"}
    for ticket in Ticket.objects.filter(region__code__startswith="431123").exclude(contact_phone=None)[:3]:
        paths |= {f"/tickets/{ticket.pk}/", f"/api/v1/tickets/{ticket.pk}", f"/tickets/?q={ticket.code}"}
    from minqing.programs.models import Campaign

    dashboard = f"/campaigns/{Campaign.objects.get(program_key='xiajiceng').pk}/dashboard/"
    paths |= {f"{dashboard}?period=2026"} | {
        f"{dashboard}figures/{key}/?period=2026"
        for key in ("hardship_households", "demands", "relief_payments", "visits", "targets_due")
    }
    from minqing.appraisal.models import AppraisalRound, Sample

    for appraisal_round in AppraisalRound.objects.filter(campaign__region_id="431123000000")[:2]:
        paths |= {
            f"/appraisal/{appraisal_round.pk}/",
            f"/appraisal/{appraisal_round.pk}/samples/",
            f"/appraisal/{appraisal_round.pk}/publication/",
            f"/api/v1/appraisal/rounds/{appraisal_round.pk}/samples",
        }
        for sample in Sample.objects.filter(round=appraisal_round)[:3]:
            paths.add(f"/appraisal/samples/{sample.pk}/")
    paths |= {"/appraisal/", "/inspections/", "/exemplary/", "/api/v1/inspections"}
    xiajiceng = Campaign.objects.get(program_key="xiajiceng")
    demo_cadre = Account.objects.get(username="cadre").cadre
    paths |= {
        "/fieldwork/",
        "/fieldwork/plans/",
        "/fieldwork/relief/",
        "/fieldwork/incidents/",
        "/fieldwork/teams/",
        f"/fieldwork/research/cadres/{demo_cadre.pk}/?campaign={xiajiceng.pk}",
        "/api/v1/plans",
        "/api/v1/relief",
        f"/api/v1/research/cadres/{demo_cadre.pk}?campaign={xiajiceng.pk}",
        f"/campaigns/{xiajiceng.pk}/pairings/households/?household={member.id_number.reveal()}",
        f"/campaigns/{xiajiceng.pk}/pairings/households/?household={member.phone.reveal()}",
    }
    for household in Household.objects.filter(region__code__startswith="431123")[:5]:
        paths.add(f"/people/households/{household.pk}/")
    checked = 0
    for path in sorted(paths):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if path.startswith("/api/") else {}
        response = client.get(path, **headers)
        if response.status_code == 200:
            checked += 1
            found = leaks(response.content.decode())
            assert not found, f"{role} sees {found} at {path}"
    assert checked >= 5


def test_an_unmasked_value_is_shown_only_after_an_audited_reveal(client_as, db):
    from minqing.core.models import AuditEvent

    member = Member.objects.exclude(phone=None).filter(household__region__code__startswith="431123").first()
    office = client_as("office")
    page = office.get(f"/people/households/{member.household_id}/").content.decode()
    assert member.phone.reveal() not in page
    response = office.post(
        f"/people/households/{member.household_id}/reveal/",
        {"member": member.pk, "field": "phone", "reason": "电话回访核实"},
        HTTP_HX_REQUEST="true",
    )
    assert member.phone.reveal() in response.content.decode()
    event = AuditEvent.objects.filter(action="personal.unmask").latest("id")
    assert event.username == "office" and event.object_id == str(member.pk)
    assert event.detail == {"field": "phone", "reason": "电话回访核实"}


def test_a_reveal_without_a_reason_shows_nothing(client_as, db):
    member = Member.objects.exclude(phone=None).filter(household__region__code__startswith="431123").first()
    response = client_as("office").post(
        f"/people/households/{member.household_id}/reveal/",
        {"member": member.pk, "field": "phone", "reason": ""},
    )
    assert response.status_code == 400
    assert member.phone.reveal() not in response.content.decode()


def test_a_role_without_the_permission_is_refused_and_the_refusal_audited(client_as, db):
    from minqing.core.models import AuditEvent

    member = Member.objects.exclude(phone=None).filter(household__region__code__startswith="431123").first()
    response = client_as("leader").post(
        f"/people/households/{member.household_id}/reveal/",
        {"member": member.pk, "field": "phone", "reason": "想看看号码"},
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="personal.unmask", result="denied", username="leader").exists()
