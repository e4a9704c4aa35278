"""Research reports (调研报告) per cadre and per team: a draft pre-filled with the figures of
the records in the period, editable on the page, downloaded as a real Word file."""

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext

from minqing.core.models import AuditEvent
from minqing.fieldwork.models import Deed, ReliefPayment, Visit
from minqing.fieldwork.services import deed_record, relief_pay, visit_record
from minqing.org.models import Account
from minqing.programs.models import Campaign, Pairing, Team
from minqing.tickets.models import Ticket

START, END = dt.date(2026, 7, 1), dt.date(2026, 7, 31)
with translation.override("zh-hans"):
    RELIEF_PAID = gettext("Relief paid (yuan)")


@pytest.fixture
def july(db):
    """The demo cadre's July in the 下基层 campaign: two visits (one problem), a deed, relief."""
    account = Account.objects.get(username="cadre")
    campaign = Campaign.objects.get(program_key="xiajiceng")
    pairing = Pairing.objects.filter(
        cadre__account=account, campaign=campaign, household__isnull=False
    ).first()
    for day, problems in ((dt.date(2026, 7, 3), ["饮水管道漏水"]), (dt.date(2026, 7, 20), [])):
        visit_record(
            actor=account,
            campaign=campaign,
            cadre=pairing.cadre,
            date=day,
            form="home_visit",
            target=pairing.household,
            content="了解夏收情况",
            problems=problems,
        )
    deed_record(
        actor=account,
        campaign=campaign,
        cadre=pairing.cadre,
        kind="errand",
        title="代办医保续费",
        beneficiary=pairing.household,
        date=dt.date(2026, 7, 10),
        value_yuan="380",
    )
    relief_pay(
        actor=account,
        campaign=campaign,
        cadre=pairing.cadre,
        household=pairing.household,
        amount_yuan="500",
        date=dt.date(2026, 7, 15),
    )
    return campaign, pairing.cadre


def _period(campaign):
    return f"?campaign={campaign.pk}&start={START}&end={END}"


def test_the_cadre_draft_carries_the_figures_of_the_records(client_as, july):
    campaign, cadre = july
    visits = Visit.objects.filter(cadre=cadre, campaign=campaign, date__range=(START, END))
    deeds = Deed.objects.filter(cadre=cadre, campaign=campaign, date__range=(START, END))
    relief = ReliefPayment.objects.filter(cadre=cadre, campaign=campaign, date__range=(START, END))
    page = client_as("cadre").get(f"/fieldwork/research/cadres/{cadre.pk}/{_period(campaign)}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "饮水管道漏水" in text and "代办医保续费" in text
    figures = dict(page.context["rows"])
    assert figures["走访次数"] == str(visits.count())
    assert figures["办实事件数"] == str(deeds.count())
    assert Decimal(figures[RELIEF_PAID]) == relief.aggregate(s=Sum("amount_yuan"))["s"]
    assert int(figures["走访中登记的诉求"]) == 1  # the problem became a demand
    assert Ticket.objects.filter(description="2026年7月3日走访时群众反映：饮水管道漏水").count() == 1


def test_the_word_file_holds_the_figures_and_the_edited_text(client_as, july):
    campaign, cadre = july
    client = client_as("cadre")
    url = f"/fieldwork/research/cadres/{cadre.pk}.docx{_period(campaign)}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    document = docx.Document(io.BytesIO(response.content))
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    visits = Visit.objects.filter(cadre=cadre, campaign=campaign, date__range=(START, END)).count()
    assert cells["走访次数"] == str(visits) and cells[RELIEF_PAID] == "500.00"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("存在问题" in h or "问题" in h for h in headings)
    edited = client.post(url, {"text": "## 调研结论\n- 修复饮水管道\n村民满意。"})
    document = docx.Document(io.BytesIO(edited.content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "调研结论") in paragraphs and ("List Bullet", "修复饮水管道") in paragraphs
    assert ("Normal", "村民满意。") in paragraphs
    assert AuditEvent.objects.filter(action="research_report.download", object_id=str(cadre.pk)).count() == 2


def test_another_countys_office_gets_a_404(client_as, july):
    campaign, cadre = july
    assert client_as("office_jinan").get(f"/fieldwork/research/cadres/{cadre.pk}/").status_code == 404
    assert client_as("office_jinan").get(f"/fieldwork/research/cadres/{cadre.pk}.docx").status_code == 404
    assert (
        client_as("office").get(f"/fieldwork/research/cadres/{cadre.pk}/{_period(campaign)}").status_code
        == 200
    )


def test_a_bad_period_is_refused_with_a_message(client_as, july):
    campaign, cadre = july
    page = client_as("cadre").get(
        f"/fieldwork/research/cadres/{cadre.pk}/?campaign={campaign.pk}&start=2026-08-01&end=2026-07-01"
    )
    assert page.status_code == 200 and "开始日期晚于结束日期" in page.content.decode()


def test_the_team_report_counts_its_members_and_its_relief(client_as, july):
    campaign, cadre = july
    team = Team.objects.create(campaign=campaign, name="七月调研组", leader=cadre)
    response = client_as("cadre").get(f"/fieldwork/research/teams/{team.pk}.docx{_period(campaign)}")
    document = docx.Document(io.BytesIO(response.content))
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cells["走访次数"] == str(
        Visit.objects.filter(cadre=cadre, campaign=campaign, date__range=(START, END)).count()
    )
    assert "七月调研组" in document.paragraphs[0].text
    assert client_as("office_jinan").get(f"/fieldwork/research/teams/{team.pk}/").status_code == 404


def test_the_problems_and_visit_texts_listed_show_a_residents_numbers_masked(client_as, july):
    """The draft's lists of visits and problems, on the page, through the API and in the Word
    file, show a phone or ID number a resident gave masked, as the visit's own page does."""
    from tests.test_masking import leaks

    campaign, cadre = july
    pairing = Pairing.objects.filter(cadre=cadre, campaign=campaign, household__isnull=False).first()
    visit_record(
        actor=cadre.account,
        campaign=campaign,
        cadre=cadre,
        date=dt.date(2026, 7, 25),
        form="home_visit",
        target=pairing.household,
        content="低保复核，身份证431123199001011234",
        problems=["孩子上学补助没到，联系电话13907461234"],
    )
    client = client_as("cadre")
    page = client.get(f"/fieldwork/research/cadres/{cadre.pk}/{_period(campaign)}").content.decode()
    assert "孩子上学补助没到，联系电话139****1234" in page and "低保复核，身份证431123********1234" in page
    assert not leaks(page)
    api = client.get(f"/api/v1/research/cadres/{cadre.pk}{_period(campaign)}").json()
    assert "孩子上学补助没到，联系电话139****1234" in api["figures"]["problem_list"]
    assert "低保复核，身份证431123********1234" in [v["content"] for v in api["figures"]["visit_list"]]
    assert "- 孩子上学补助没到，联系电话139****1234" in api["draft"].splitlines()
    assert not leaks(str(api))
    word = client.get(f"/fieldwork/research/cadres/{cadre.pk}.docx{_period(campaign)}")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert "孩子上学补助没到，联系电话139****1234" in paragraphs and not leaks("\n".join(paragraphs))
