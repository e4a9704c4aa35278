"""The office hands a cadre's pairings over to a successor found by typing in the long
list of cadres; a refused form inside a collapsed section is shown open."""

from collections import Counter

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_office_finds_the_successor_by_typing_and_hands_over(page, site, sign_in, screenshot):
    from minqing.core.text import pinyin_keys
    from minqing.programs.models import Pairing

    leaving = (
        Pairing.objects.filter(end__isnull=True, cadre__account__is_active=True).order_by("id").first().cadre
    )
    moving = Pairing.objects.filter(cadre=leaving, end__isnull=True).count()

    sign_in(page, "office")
    page.goto(f"{site}/cadres/{leaving.pk}/handover/")
    box = page.locator("input.select-filter")
    expect(box).to_be_visible()
    options = page.locator("#id_successor option:not([value=''])")
    choices = options.evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert len(choices) > 20
    # One whose name no other cadre in the list has.
    names = Counter(text.split("（")[0] for _value, text in choices)
    value, text = next((v, t) for v, t in choices if names[t.split("（")[0]] == 1)
    name = text.split("（")[0]

    # Pinyin initials narrow the list; the whole name leaves one, which is then chosen.
    box.fill(pinyin_keys(name)[1])
    shown = page.locator("#id_successor option:not([hidden]):not([value=''])")
    assert 0 < shown.count() < len(choices)
    box.fill(name)
    expect(shown).to_have_count(1)
    expect(page.locator("#id_successor")).to_have_value(value)
    screenshot(page, "60-handover-successor-found")

    page.locator("#id_reason").fill("岗位调整")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(name)
    assert Pairing.objects.filter(cadre_id=int(value), end__isnull=True).count() >= moving
    assert not Pairing.objects.filter(cadre=leaving, end__isnull=True).exists()


def test_a_refused_form_in_a_collapsed_section_is_shown_open(page, site, sign_in, screenshot):
    sign_in(page, "office")
    page.goto(f"{site}/points/")
    section = page.locator("details#add-point")
    expect(section).not_to_have_attribute("open", "")
    section.locator("summary").click()
    name = page.locator("#id_name")
    name.evaluate("input => input.removeAttribute('maxlength')")
    name.fill("临时点" * 50)  # longer than a name may be: the server refuses it
    page.locator("#id_address").fill("江村镇桐木村")
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    expect(page.locator("details#add-point")).to_have_attribute("open", "")
    expect(page.locator("details#add-point .errorlist")).to_be_visible()
    expect(page.locator("#id_address")).to_have_value("江村镇桐木村")
    screenshot(page, "61-refused-point-shown-open")


def test_the_script_opens_any_collapsed_section_holding_an_error(page, site, sign_in):
    """Whatever page forgets to open its section: the script does (minqing.js)."""
    sign_in(page, "office")
    page.set_content(
        '<details id="with-error"><summary>a</summary><ul class="errorlist"><li>bad</li></ul></details>'
        '<details id="quiet"><summary>b</summary><input></details>'
        '<details id="invalid"><summary>c</summary><input aria-invalid="true"></details>'
        '<script src="/static/minqing/minqing.js"></script>'
    )
    expect(page.locator("#with-error")).to_have_attribute("open", "")
    expect(page.locator("#invalid")).to_have_attribute("open", "")
    expect(page.locator("#quiet")).not_to_have_attribute("open", "")


def test_the_search_box_matches_within_one_key_and_enter_does_not_send_the_form(page, site, sign_in):
    """The name, its full pinyin and its initials are searched each on its own; Enter in the
    box narrows and leaves the form unsent."""
    sign_in(page, "office")
    page.set_content(
        '<form id="f" action="/sent/"><label>a<select name="c" id="c" data-filter="find">'
        '<option value="">-</option>'
        '<option value="1" data-keys="zhangsanminzhengju zsmzj">张三（民政局）</option>'
        '<option value="2" data-keys="lisiminzhengju lsmzj">李四（民政局）</option>'
        '</select></label><input name="reason" value="岗位调整"><button>send</button></form>'
        '<script src="/static/minqing/minqing.js"></script>'
    )
    box = page.locator("input.select-filter")
    shown = page.locator("#c option:not([hidden]):not([value=''])")
    box.fill("juzs")  # the end of 张三's full pinyin and the start of his initials: neither holds it
    expect(shown).to_have_count(0)
    box.fill("lsm")
    expect(shown).to_have_count(1)
    expect(page.locator("#c")).to_have_value("2")
    box.press("Enter")
    page.wait_for_timeout(300)
    assert "/sent/" not in page.url
