"""A campaign office adds a program without a programmer, from the pages or the API: every
error of a malformed template with its line and nothing added; a check that adds nothing;
the five shipped templates to download and start from; only who may define programs."""

import io
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.core.models import AuditEvent
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import ProgramTemplate

from .test_templates import BAD, SIXTH


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_program_list_offers_each_template_file_and_the_office_an_add_button(client_as):
    office = client_as("office").get("/programs/").content.decode()
    assert 'href="/programs/add/"' in office
    assert 'href="/programs/dundian.toml"' in office
    leader = client_as("leader").get("/programs/").content.decode()
    assert 'href="/programs/add/"' not in leader and 'href="/programs/dundian.toml"' in leader

    source = client_as("leader").get("/programs/dundian.toml")
    assert source.status_code == 200 and source["Content-Type"].startswith("application/toml")
    assert 'filename="dundian.toml"' in source["Content-Disposition"]
    assert b'key = "dundian"' in source.content
    assert client_as("leader").get("/programs/nope.toml").status_code == 404
    assert client_as("unit").get("/programs/dundian.toml").status_code == 403


def test_the_program_list_names_each_program_and_keeps_its_key_to_a_small_line(client_as):
    page = _english(client_as("office")).get("/programs/").content.decode()
    article = page.split('id="program-dundian"')[1].split("</article>")[0]
    header = article.split("<header>")[1].split("</header>")[0]
    assert "dundian" not in header
    assert '<small class="muted program-key">Template key: dundian</small>' in article


def test_the_add_button_says_template_as_the_rest_of_the_chinese_pages(client_as):
    """方案模板, not 工作项目 (the msgstr of "Add a program": /work/i18n-points-fix.po)."""
    page = client_as("office").get("/programs/").content.decode()
    assert "添加方案模板" in page and "工作项目" not in page


def test_a_malformed_template_shows_every_error_with_its_line_and_keeps_the_text(client_as):
    client = _english(client_as("office"))
    response = client.post("/programs/add/", {"text": BAD, "action": "add"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The template has 9 errors; nothing was added:" in html
    errors = re.search(r'<ol class="template-errors">(.*?)</ol>', html, re.S).group(1)
    lines = re.findall(r"<li>line (\d+):", errors)
    assert lines == ["1", "3", "8", "14", "21", "22", "23", "26", "27"]
    # The text stays in the box, to be corrected and sent again.
    assert "type = &quot;no.such.rule&quot;" in html
    assert not ProgramTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="program.add").exists()


def test_a_check_adds_nothing_then_add_adds_the_program_from_a_file(client_as):
    client = _english(client_as("office"))
    checked = client.post("/programs/add/", {"text": SIXTH, "action": "check"})
    html = checked.content.decode()
    assert "The template is valid: 结对共建示范 (jieduigongjian)." in html
    assert "1 rule, 1 phase. Add it when you are ready." in html
    assert not ProgramTemplate.objects.exists()

    # Saved by Notepad on Chinese Windows: GBK.
    upload = SimpleUploadedFile("sixth.toml", SIXTH.encode("gbk"), content_type="application/octet-stream")
    added = client.post("/programs/add/", {"file": upload, "text": "", "action": "add"}, follow=True)
    assert added.redirect_chain[-1][0] == "/programs/"
    html = added.content.decode()
    assert "The program “结对共建示范” (jieduigongjian) was added" in html
    assert "/campaigns/start/?program=jieduigongjian" in html
    template = ProgramTemplate.objects.get()
    assert template.key == "jieduigongjian" and template.added_by.username == "office"
    assert AuditEvent.objects.get(action="program.add").detail == {"key": "jieduigongjian"}

    again = client.post("/programs/add/", {"text": SIXTH, "action": "add"}).content.decode()
    assert "line 1: key: a program with this key exists already" in again
    assert ProgramTemplate.objects.count() == 1


def test_an_empty_form_and_a_file_in_no_known_encoding_are_told(client_as):
    client = _english(client_as("office"))
    empty = client.post("/programs/add/", {"text": "  ", "action": "check"}).content.decode()
    assert "Choose a template file or paste its text." in empty
    latin = SimpleUploadedFile("x.toml", io.BytesIO("\ufeff".encode("utf-16-be") + b"\xd8\x00").read())
    odd = client.post("/programs/add/", {"file": latin, "action": "add"})
    assert odd.status_code == 200 and 'class="template-errors"' in odd.content.decode()
    assert not ProgramTemplate.objects.exists()


def test_only_who_may_define_programs_reaches_the_add_page(client_as):
    assert client_as("office").get("/programs/add/").status_code == 200
    for username in ("leader", "cadre", "sysadmin"):
        assert client_as(username).post("/programs/add/", {"text": SIXTH, "action": "add"}).status_code == 403
    assert not ProgramTemplate.objects.exists()


def _auth(username):
    token = token_create(actor=None, account=Account.objects.get(username=username))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_api_checks_and_adds_a_program_with_every_error_and_its_line(db, client):
    office = _auth("office")

    def post(body, auth=office):
        return client.post("/api/v1/programs", body, content_type="application/json", **auth)

    bad = post({"text": BAD})
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert [e["line"] for e in errors] == [1, 3, 8, 14, 21, 22, 23, 26, 27]
    assert errors[1]["path"] == "color" and errors[1]["message"]
    assert bad.json()["detail"].startswith("line 1: key:")

    dry = post({"text": SIXTH, "dry_run": True})
    assert dry.status_code == 200 and dry.json()["key"] == "jieduigongjian"
    assert not ProgramTemplate.objects.exists()

    assert post({"text": SIXTH}, _auth("leader")).status_code == 403
    made = post({"text": SIXTH})
    assert made.status_code == 201 and made.json()["name"] == "结对共建示范"
    assert ProgramTemplate.objects.get().added_by.username == "office"
    listed = client.get("/api/v1/programs", **office).json()
    assert "jieduigongjian" in [p["key"] for p in listed]

    source = client.get("/api/v1/programs/jieduigongjian/template", **_auth("leader"))
    assert source.status_code == 200 and source.json() == {"key": "jieduigongjian", "text": SIXTH}
    assert client.get("/api/v1/programs/nope/template", **office).status_code == 404


def test_template_text_no_program_has_is_an_error_not_a_crash(db, client):
    from minqing.programs.schema import TemplateInvalid, parse_template

    with translation_en():
        for text, phrase in [
            (SIXTH.replace('key = "jieduigongjian"', 'key = "jieduigongjian\\n"'), "is not allowed here"),
            (SIXTH.replace('name = "结对共建示范"', 'name = "' + "长" * 101 + '"'), "at most 100 characters"),
            (SIXTH + "deep = " + "[" * 5000 + "]" * 5000 + "\n", "nests too deep"),
            (SIXTH + "big = " + "9" * 5000 + "\n", "number too long"),
        ]:
            try:
                parse_template(text)
            except TemplateInvalid as exc:
                assert phrase in str(exc), (phrase, str(exc)[:200])
            else:
                raise AssertionError(phrase)
    office = _auth("office")
    response = client.post(
        "/api/v1/programs",
        {"text": SIXTH + "deep = " + "[" * 5000 + "]" * 5000},
        content_type="application/json",
        **office,
    )
    assert response.status_code == 422 and not ProgramTemplate.objects.exists()


def translation_en():
    from django.utils import translation

    return translation.override("en")
