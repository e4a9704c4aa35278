"""Periodic documents: the Word and PDF files, opened by independent readers, carry the
selectors' figures for the same scope and period; a bulletin page is turned into PNG."""

import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn

from minqing.core.models import AuditEvent
from minqing.figures import documents, selectors
from minqing.figures.models import IssuedDocument
from minqing.figures.periods import parse_period
from tests.artifacts import ARTIFACTS as TEST_ARTIFACTS

from .conftest import TODAY, sel_for

ARTIFACTS = TEST_ARTIFACTS / "documents"


def expected_rows(figures) -> list[list[str]]:
    return documents.figure_rows(figures)


def docx_figure_table(content: bytes):
    doc = Document(io.BytesIO(content))
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if len(header) == 3 and header[0] == str(documents._("No.")):
            return doc, [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("no table of figures")


@pytest.mark.parametrize("kind", list(documents.KINDS))
def test_every_document_in_word_carries_the_selectors_figures(actor, campaign, kind):
    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026Q3", today=TODAY))
    content, name, _type = documents.generate(user=office, sel=sel, kind=kind, fmt="docx")
    assert name.endswith(".docx")
    doc, rows = docx_figure_table(content)
    figures = selectors.figures(user=office, sel=sel)
    assert rows == expected_rows(figures)
    # Independent of our formatting: the visits and demands are the selectors' numbers.
    by_label = {row[1]: row[2] for row in rows}
    assert by_label[str(selectors.TILES["visits"].label)] == str(figures.values["visits"])
    assert by_label[str(selectors.TILES["demands_resolved"].label)] == str(figures.values["demands_resolved"])
    texts = [p.text for p in doc.paragraphs]
    # Official layout: red masthead in 方正小标宋简体 with east-Asian font set, number, title, date.
    masthead = doc.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == "D40000"
    assert masthead._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == documents.TITLE_FONT
    if kind == "briefing":
        assert re.search(r"2026年第\d+期", doc.paragraphs[1].text)
        assert any(p.text.startswith(str(documents._("Exemplary cases"))) for p in doc.paragraphs)
    else:
        assert re.fullmatch(r".+〔2026〕\d+号", doc.paragraphs[1].text)
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", texts[-1])
    body_fonts = {
        r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for p in doc.paragraphs[3:]
        for r in p.runs
        if r._element.rPr is not None
    }
    assert documents.BODY_FONT in body_fonts
    assert len(doc.inline_shapes) >= 1  # the charts
    # Where a machine lacks the official fonts, Word is told which faces to use instead.
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    font_table = doc.part.part_related_by(RT.FONT_TABLE).blob.decode()
    assert f'w:name="{documents.BODY_FONT}"><w:altName w:val="仿宋"/>' in font_table


def test_a_township_office_gets_its_townships_figures_in_the_roll_up(
    township_office, actor, campaign, other_township
):
    period = parse_period("2026", today=TODAY)
    mine = sel_for(township_office, campaign, period)
    county = sel_for(actor("office"), campaign, period)
    content, _n, _t = documents.generate(user=township_office, sel=mine, kind="monthly", fmt="docx")
    _doc, rows = docx_figure_table(content)
    mine_figures = selectors.figures(user=township_office, sel=mine)
    assert rows == expected_rows(mine_figures)
    county_visits = selectors.figures(user=actor("office"), sel=county).values["visits"]
    assert mine_figures.values["visits"] == county_visits - 1


def _pdftotext(content: bytes, tmp_path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_bulletin_pdf_carries_the_figures_and_a_page_is_saved_as_png(actor, campaign, tmp_path):
    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026Q3", today=TODAY))
    content, name, content_type = documents.generate(user=office, sel=sel, kind="quarterly", fmt="pdf")
    assert content.startswith(b"%PDF") and content_type == "application/pdf"
    text = _pdftotext(content, tmp_path)
    figures = selectors.figures(user=office, sel=sel)
    for number, label, value in expected_rows(figures):
        assert re.search(rf"^\s*{number}\s+{re.escape(label)}\s+{re.escape(value)}\s*$", text, re.M), (
            label,
            value,
        )
    assert "〔2026〕" in text and "通报" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "bulletin.pdf").write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / "bulletin.pdf"),
            str(ARTIFACTS / "bulletin-page1"),
        ],
        check=True,
    )
    png = (ARTIFACTS / "bulletin-page1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_a_document_keeps_its_number_and_every_generation_is_audited(actor, campaign):
    office = actor("office")
    october = sel_for(office, campaign, parse_period("2026-10", today=TODAY))
    november = sel_for(office, campaign, parse_period("2026-11", today=TODAY))
    before = AuditEvent.objects.filter(action="figures.document").count()
    documents.generate(user=office, sel=october, kind="monthly", fmt="docx")
    documents.generate(user=office, sel=october, kind="monthly", fmt="pdf")
    documents.generate(user=office, sel=november, kind="monthly", fmt="docx")
    numbers = dict(
        IssuedDocument.objects.filter(campaign=campaign, kind="monthly").values_list("period", "number")
    )
    assert numbers["2026-11"] == numbers["2026-10"] + 1
    assert AuditEvent.objects.filter(action="figures.document").count() == before + 3
    event = AuditEvent.objects.filter(action="figures.document").order_by("-id").first()
    assert event.user == office and event.detail["period"] == "2026-11"


def test_the_briefing_features_what_other_apps_supply(actor, campaign):
    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026", today=TODAY))

    def cases(user, sel):
        return [documents.Feature("张三", "帮助村民修通道路")]

    documents.register_feature_source(cases)
    try:
        content, _n, _t = documents.generate(user=office, sel=sel, kind="briefing", fmt="docx")
    finally:
        documents.FEATURE_SOURCES.remove(cases)
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert "张三：帮助村民修通道路" in texts


def test_the_charts_are_drawn_without_a_screen():
    png = documents.bar_chart(["江村乡", "测试镇"], {"走访": [3, 5]}, "走访情况")
    assert png.startswith(b"\x89PNG")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer at a time by design")
def test_two_first_generations_at_once_share_one_number(transactional_db):
    """The second waits for the first's lock, then reads its number (no IntegrityError)."""
    import threading

    from django.core.management import call_command
    from django.db import transaction

    from minqing.demo.generate import database_is_empty, generate
    from minqing.figures.services import document_issue
    from minqing.org.models import Account
    from minqing.programs.models import Campaign

    if database_is_empty():
        generate(scale="village", seed=7)
    try:
        office = Account.objects.get(username="office")
        campaign = Campaign.objects.select_related("region").get(program_key="xiajiceng")
        sel = sel_for(office, campaign, parse_period("2026-10", today=TODAY))
        first_holds_lock = threading.Event()
        second_started = threading.Event()
        numbers, errors = [], []

        def first():
            try:
                with transaction.atomic():
                    numbers.append(document_issue(actor=office, sel=sel, kind="monthly", fmt="docx").number)
                    first_holds_lock.set()
                    second_started.wait(10)
                    threading.Event().wait(0.5)  # the second is now waiting for the campaign row
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        def second():
            try:
                first_holds_lock.wait(10)
                second_started.set()
                numbers.append(document_issue(actor=office, sel=sel, kind="monthly", fmt="pdf").number)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(numbers) == 2 and numbers[0] == numbers[1]
        assert IssuedDocument.objects.filter(campaign=campaign, kind="monthly", period="2026-10").count() == 1
    finally:
        call_command("flush", interactive=False, verbosity=0)


def test_a_township_offices_document_names_the_township_and_the_offices_has_its_own_number(
    township_office, actor, campaign, other_township
):
    from minqing.geo.models import Region

    from .conftest import TOWNSHIP

    office = actor("office")
    period = parse_period("2026-10", today=TODAY)
    county_doc, _n, _t = documents.generate(
        user=office, sel=sel_for(office, campaign, period), kind="monthly", fmt="docx"
    )
    mine_doc, _n, _t = documents.generate(
        user=township_office, sel=sel_for(township_office, campaign, period), kind="monthly", fmt="docx"
    )
    township, county = Region.objects.get(code=TOWNSHIP).name, campaign.region.name
    mine_text = "\n".join(p.text for p in Document(io.BytesIO(mine_doc)).paragraphs)
    county_text = "\n".join(p.text for p in Document(io.BytesIO(county_doc)).paragraphs)
    assert township in mine_text and county not in mine_text.split(township)[0][-40:]
    assert county in county_text
    issued = IssuedDocument.objects.filter(campaign=campaign, kind="monthly", period="2026-10")
    # The township office reads the county office's campaign: its copy takes none of its numbers.
    assert issued.count() == 1 and "〔2026〕\u3000号" in mine_text
    # The county office's document of the township has a number of its own.
    documents.generate(
        user=office, sel=sel_for(office, campaign, period, region=TOWNSHIP), kind="monthly", fmt="docx"
    )
    assert issued.count() == 2
    assert len({d.number for d in issued}) == 2
    assert {d.selection for d in issued} == {"", f"region={TOWNSHIP}"}
    # Another number of idle days changes the contents: another document, another number.
    documents.generate(
        user=office, sel=sel_for(office, campaign, period, idle_days=7), kind="monthly", fmt="docx"
    )
    assert issued.all().count() == 3


def test_the_briefing_features_the_published_exemplary_cases_of_the_appraisal(actor, campaign):
    from django.utils import timezone

    from minqing.appraisal import services as appraisal
    from minqing.org.models import Cadre

    office = actor("office")
    cadre = Cadre.objects.filter(pairings__campaign=campaign).first()
    published = appraisal.case_nominate(
        actor=actor("leader"),
        campaign=campaign,
        title="扎根村里的好干部",
        story="帮村民修通了路",
        cadre=cadre,
    )
    appraisal.case_decide(actor=office, case=published, step="select")
    appraisal.case_decide(actor=office, case=published, step="publish")
    appraisal.case_nominate(
        actor=actor("leader"), campaign=campaign, title="尚未评定的案例", story="还在评选", cadre=cadre
    )
    today = timezone.localdate()
    sel = selectors.selection_for(
        user=office, campaign=campaign, period=parse_period(str(today.year), today=today), today=today
    )
    content, _n, _t = documents.generate(user=office, sel=sel, kind="briefing", fmt="docx")
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    assert "扎根村里的好干部：帮村民修通了路" in texts
    assert not any("尚未评定的案例" in t for t in texts)


def _docx_number(content: bytes) -> str:
    return Document(io.BytesIO(content)).paragraphs[1].text


def test_the_same_document_downloaded_again_keeps_its_number_and_a_reader_takes_none(client_as, campaign):
    """The office numbers a document once (Word and PDF, every download alike); a leader's
    download of a document the office has not numbered leaves the number blank and takes none."""
    office, leader = client_as("office"), client_as("leader")
    url = f"/campaigns/{campaign.pk}/documents/monthly.docx?period=2026-11"
    first = _docx_number(office.get(url).content)
    assert re.fullmatch(r".+〔2026〕\d+号", first)
    assert _docx_number(office.get(url).content) == first
    assert office.get(url.replace(".docx", ".pdf")).status_code == 200
    assert _docx_number(leader.get(url).content) == first
    assert IssuedDocument.objects.filter(campaign=campaign, period="2026-11").count() == 1
    # A document the office has not numbered: the leader reads it with the number's place blank.
    before = AuditEvent.objects.filter(action="figures.document").count()
    annual = _docx_number(leader.get(f"/campaigns/{campaign.pk}/documents/annual.docx?period=2026").content)
    assert annual.endswith("〔2026〕\u3000号")
    assert not IssuedDocument.objects.filter(campaign=campaign, kind="annual").exists()
    assert AuditEvent.objects.filter(action="figures.document").count() == before + 1
    briefing = leader.get(f"/campaigns/{campaign.pk}/documents/briefing.docx?period=2026-11").content
    assert _docx_number(briefing) == "2026年第\u3000期"


def test_a_document_is_named_in_the_readers_language_by_area_campaign_and_period(client_as, campaign):
    from urllib.parse import unquote

    from .conftest import TOWNSHIP

    client = client_as("office")
    base = f"/campaigns/{campaign.pk}/documents/monthly.docx?period=2026-11"
    county = client.get(base)["Content-Disposition"]
    township = client.get(f"{base}&region={TOWNSHIP}")["Content-Disposition"]
    name = unquote(township.split("filename*=UTF-8''")[1])
    assert name == "江村乡-2026年机关干部下基层活动11月工作汇总.docx"
    assert unquote(county.split("filename*=UTF-8''")[1]) == "双牌县-2026年机关干部下基层活动11月工作汇总.docx"
    # Old clients get an ASCII name, different for the two areas.
    assert f'filename="monthly-{campaign.pk}-2026-11-{TOWNSHIP}.docx"' in township
    assert f'filename="monthly-{campaign.pk}-2026-11.docx"' in county
    assert township.isascii()


def test_a_title_does_not_repeat_the_year_the_campaign_is_named_with(actor, campaign):
    assert campaign.name == "2026年机关干部下基层活动"
    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026-11", today=TODAY))
    content, _d, _t = documents.generate(user=office, sel=sel, kind="monthly", fmt="docx")
    assert Document(io.BytesIO(content)).paragraphs[3].text == "2026年机关干部下基层活动11月工作汇总"
    # A campaign named without the year: the period keeps it.
    november = parse_period("2026-11", today=TODAY)
    assert documents.document_title("机关干部下基层活动", november, "monthly") == (
        "机关干部下基层活动2026年11月工作汇总"
    )
    with translation.override("en"):
        for kind, period, title in [
            ("monthly", "2026-11", "Roll-up of 2026 campaign for November"),
            ("quarterly", "2026Q4", "Bulletin on 2026 campaign in Q4"),
            ("annual", "2026", "Summary of 2026 campaign"),
            ("annual", "2027", "Summary of 2026 campaign for the year 2027"),
        ]:
            assert documents.document_title("2026 campaign", parse_period(period, today=TODAY), kind) == title


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_keeps_names_and_headers_whole_and_captions_each_chart_once(
    actor, campaign, tmp_path, monkeypatch
):
    office = actor("office")
    sel = sel_for(office, campaign, parse_period("2026", today=TODAY), idle_days=45)
    titles = []
    for name in ("bar_chart", "rate_chart"):
        draw = getattr(documents, name)
        monkeypatch.setattr(
            documents,
            name,
            lambda *a, draw=draw, **kw: titles.append(a[2:] + tuple(kw.values())) or draw(*a, **kw),
        )
    paper = documents.build(user=office, sel=sel, kind="annual", fmt="pdf")
    # The charts carry no title of their own: the caption under each is the only one.
    assert len(titles) == 2 and titles == [(), ()]
    html = documents.render_to_string("figures/document_print.html", {"paper": paper, "blocks": []})
    assert re.search(r"th, td\.name \{[^}]*white-space: nowrap", html)
    text = _pdftotext(documents.to_pdf(paper), tmp_path)
    # Each cadre's name on one line in the table of cadres (no name cut over two lines).
    for group in paper.figures.top_cadres(n=10):
        assert re.search(rf"^\s*\d+\s+{re.escape(group.label)}\s", text, re.M), group.label
    chart = [b for b in paper.blocks if b.kind == "chart"][0]
    assert text.count(chart.text) == 1
    # "Lately" is the selection's window.
    assert re.search(r"近期未走访的结对户\s*[（(]45天[）)]", text)
