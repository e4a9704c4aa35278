"""In a real browser: while an import is being checked or written, the page says so (a
status line with a progress bar and the seconds passed) and its buttons cannot send the
file a second time."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Installed before a click: once the form is sent, the page reports its status line and
# buttons on the console, at once and 1.5 s later (the page cannot be asked directly while
# its navigation is pending).
WATCH = """() => {
  const report = () => {
    const status = document.getElementById("busy-status");
    const buttons = [...document.querySelectorAll("main form[data-busy] button")];
    console.log("busy:" + JSON.stringify({
      visible: !status.hidden && status.offsetParent !== null,
      progress: !!status.querySelector("progress"),
      text: status.querySelector(".busy-text").textContent,
      seconds: status.querySelector(".busy-seconds").textContent,
      buttonsDisabled: buttons.length > 0 && buttons.every((b) => b.disabled),
    }));
  };
  document.querySelectorAll("form[data-busy]").forEach((form) => form.addEventListener("submit", () => {
    setTimeout(report, 0);
    setTimeout(report, 1500);
  }));
}"""


def wait_for(page, messages: list, count: int) -> list:
    for _ in range(100):
        if len(reports(messages)) >= count:
            break
        page.wait_for_timeout(100)
    return messages


def reports(messages) -> list[dict]:
    return [json.loads(m[5:]) for m in messages if m.startswith("busy:")]


def test_the_import_page_shows_it_is_working_and_takes_no_second_click(
    page, site, sign_in, screenshot, tmp_path
):
    from minqing.core.identity import id_check_char
    from minqing.geo.models import Region

    number = "43112319360101901"

    village = (
        Region.objects.filter(code__startswith="431123", level=Region.Level.VILLAGE).order_by("code").first()
    )
    group = Region.objects.filter(parent=village).order_by("code").first()
    sheet = tmp_path / "花名册.csv"
    sheet.write_text(
        "户编号,姓名,身份证号,村,组,与户主关系\n"
        f"BUSY-0001,忙碌,{number + id_check_char(number)},{village.name},{group.name},户主\n",
        encoding="utf-8",
    )
    sign_in(page, "office")
    page.goto(f"{site}/imports/households/")
    held, messages = [], []
    page.on("console", lambda m: messages.append(m.text))
    page.route(
        re.compile(r".*/imports/households/(confirm/)?$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    page.locator("input[type=file]").set_input_files(str(sheet))
    page.evaluate(WATCH)
    page.locator("main form button[type=submit]").last.click(no_wait_after=True)
    # The request is held while the page reports on itself.
    first, later = reports(wait_for(page, messages, 2))
    assert first["visible"] and first["progress"] and first["buttonsDisabled"], first
    assert re.search("正在检查文件|Checking the file", first["text"]), first
    assert re.fullmatch(r"[12] (秒|s)", later["seconds"]) and later["visible"], later
    assert len(held) == 1
    with page.expect_navigation():
        held.pop().continue_()
    expect(page.locator("#import-summary")).to_be_visible()
    expect(page.locator("#busy-status")).to_be_hidden()
    messages.clear()
    page.evaluate(WATCH)
    page.locator("#import-confirm").click(no_wait_after=True)
    first = reports(wait_for(page, messages, 1))[0]
    assert first["visible"] and first["buttonsDisabled"], first
    assert re.search("正在导入|Importing the rows", first["text"]), first
    with page.expect_navigation():
        held.pop().continue_()
    expect(page.locator("#import-summary")).to_contain_text(re.compile("已导入|imported"))


def test_a_file_over_ten_megabytes_is_refused_before_it_is_sent(page, site, sign_in, screenshot):
    sign_in(page, "office")
    page.goto(f"{site}/imports/households/")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    chooser = page.locator("main input[type=file]")
    big = {
        "name": "全县花名册.xlsx",
        "mimeType": "application/octet-stream",
        "buffer": b"\0" * (10 * 1024 * 1024 + 1),
    }
    chooser.set_input_files(big)
    notice = page.locator("#file-too-big")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(re.compile(r"10\.1 MB"))
    expect(notice).to_contain_text(re.compile("最大 10 MB|at most 10 MB"))
    assert not chooser.evaluate("input => input.checkValidity()")
    screenshot(page, "import-file-too-big")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_timeout(300)
    assert posts == [] and page.url.endswith("/imports/households/")
    expect(page.locator("#busy-status")).to_be_hidden()
    # A file within the limit clears the message and can be sent.
    chooser.set_input_files({"name": "小.csv", "mimeType": "text/csv", "buffer": "姓名\n甲\n".encode()})
    expect(notice).to_be_hidden()
    assert chooser.evaluate("input => input.checkValidity()")
