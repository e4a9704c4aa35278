"""A cadre on a phone records a visit (with a photo) and a deed without a signal; both arrive
once when the phone is back online. A busy server (429, 5xx) is waited for, and signing out
clears the phone's store — after asking, when records are still unsent."""

import io
import json
import re
import time

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (800, 600), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (28.0, 15.0, 30.0), 3: "E", 4: (111.0, 40.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def store_count(page, store: str) -> int:
    return page.evaluate(
        """store => new Promise((resolve, reject) => {
             const open = indexedDB.open("minqing-field", 2);
             open.onupgradeneeded = () => { ["outbox", "sent", "photos"].forEach(
               name => open.result.createObjectStore(name, {keyPath: "uuid"})); };
             open.onsuccess = () => { const r = open.result.transaction(store).objectStore(store).count();
               r.onsuccess = () => { open.result.close(); resolve(r.result); }; r.onerror = reject; };
             open.onerror = reject; })""",
        store,
    )


def cached_phone_page(page) -> bool:
    return page.evaluate("caches.match('/m/').then(r => !!r)")


def test_cadre_records_offline_and_both_records_sync_once(
    phone_page, site, sign_in, screenshot, settings, tmp_path
):
    from minqing.fieldwork.models import Deed, Photo, Visit

    settings.MEDIA_ROOT = tmp_path

    page = phone_page
    visits_before, deeds_before = Visit.objects.count(), Deed.objects.count()
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("li.target").first).to_be_visible()
    screenshot(page, "30-my-targets")

    page.context.set_offline(True)
    first = page.locator("li.target").first
    first.locator("button.do-visit").click()
    form = page.locator("#visit-form")
    form.locator("textarea[name=content]").fill("离线走访：了解春耕用工情况")
    form.locator("textarea[name=problems]").fill("村道需要修补")
    date = form.locator("input[name=date]")
    # The server's day is proposed (Asia/Shanghai), whatever the phone's time zone says.
    today = timezone.localdate().isoformat()
    assert date.input_value() == today and date.get_attribute("max") == today and date.get_attribute("min")
    form.locator("input[name=photos]").set_input_files(
        [{"name": "IMG_2001.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}]
    )
    screenshot(page, "31-offline-visit-form")
    form.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("1")
    first.locator("button.do-deed").click()
    deed = page.locator("#deed-form")
    deed.locator("input[name=title]").fill("代办医保续费")
    deed.locator("input[name=value_yuan]").fill("380")
    deed.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("2")
    screenshot(page, "32-offline-waiting")
    assert Visit.objects.count() == visits_before and Deed.objects.count() == deeds_before
    assert store_count(page, "photos") == 1  # the photo waits on the phone beside its visit

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(2)
    expect(page.locator("#sync-status")).to_be_hidden()
    # The card says at once that it was visited today, and the sent list writes its days as
    # the pages do (11月23日), not as ISO text.
    today_label = page.evaluate("JSON.parse(document.getElementById('app-data').textContent).labels.today")
    expect(first.locator(".when")).to_have_text(today_label)  # 今天 once the catalogue has it
    sent = page.locator("#synced li").first.inner_text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", sent) and re.match(r"\d{1,2}月\d{1,2}日 ", sent)
    screenshot(page, "33-synced")
    assert Visit.objects.count() == visits_before + 1
    assert Deed.objects.count() == deeds_before + 1
    visit = Visit.objects.latest("id")
    assert visit.content == "离线走访：了解春耕用工情况" and visit.problems == ["村道需要修补"]
    # The demand registered from its problem: its code is shown for the cadre to hand over.
    from minqing.tickets.models import Ticket

    code = Ticket.objects.get(extra__visit=str(visit.uuid)).code
    expect(page.locator("#synced li", has_text=code)).to_have_count(1)
    photo = Photo.objects.get(visit=visit)
    stored = (tmp_path / photo.path).read_bytes()
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (800, 600)
    assert b"PhoneMaker" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert store_count(page, "photos") == 0

    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(2)
    assert Visit.objects.count() == visits_before + 1  # nothing sent twice
    assert Photo.objects.filter(visit=visit).count() == 1


def test_a_busy_server_is_waited_for_and_nothing_is_lost_or_doubled(phone_page, site, sign_in, screenshot):
    from minqing.fieldwork.models import Visit

    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("li.target").first).to_be_visible()
    delays = page.evaluate(
        "[minqingField.retryDelay(0, '3'), minqingField.retryDelay(3, null),"
        " minqingField.retryDelay(0, new Date(Date.now() + 4000).toUTCString())]"
    )
    assert delays[0] >= 3000 and 8000 <= delays[1] <= 16000 and delays[2] >= 2500

    calls = []

    def answer(route):
        calls.append(time.monotonic())
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "2"}, body='{"detail": "slow down"}')
        elif len(calls) == 2:
            route.fulfill(status=503, body="unavailable")
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/sync/.*"), answer)
    before = Visit.objects.count()
    page.locator("li.target").first.locator("button.do-visit").click()
    page.locator("#visit-form textarea[name=content]").fill("服务器繁忙时的走访")
    page.locator("#visit-form button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("秒")  # the retry is announced
    screenshot(page, "34-server-busy")
    expect(page.locator("#synced li").first).to_contain_text("走访", timeout=30_000)
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 2.0  # Retry-After honoured
    assert Visit.objects.count() == before + 1
    assert Visit.objects.filter(content="服务器繁忙时的走访").count() == 1


def test_a_refused_record_stays_on_the_phone_with_the_server_s_reason(phone_page, site, sign_in, screenshot):
    """A 409 whose conflict gives a reason (a visit withdrawn, or past the days for correcting
    it) is shown with that reason, not a bare "conflict"; the record stays in the outbox."""
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("li.target").first).to_be_visible()
    reason = "本次走访的更正期限已过：请联系活动办更正。"

    def refuse(route):
        body = {"status": 409, "conflict": {"stored": {}, "sent": {}, "reason": reason}}
        route.fulfill(status=409, content_type="application/json", body=json.dumps(body, ensure_ascii=False))

    page.route(re.compile(r".*/api/v1/sync/.*"), refuse)
    page.locator("li.target").first.locator("button.do-visit").click()
    page.locator("#visit-form textarea[name=content]").fill("被拒绝的走访")
    page.locator("#visit-form button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text(reason)
    screenshot(page, "34b-refused-with-reason")
    assert store_count(page, "outbox") == 1 and store_count(page, "sent") == 0


def test_sign_out_asks_about_unsent_records_then_clears_the_phone(phone_page, site, sign_in, screenshot):
    from minqing.fieldwork.models import Visit

    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    target_name = page.locator("li.target .who strong").first.inner_text()
    page.wait_for_function("navigator.serviceWorker.ready.then(() => caches.match('/m/')).then(r => !!r)")
    page.context.set_offline(True)
    page.locator("li.target").first.locator("button.do-visit").click()
    page.locator("#visit-form textarea[name=content]").fill("签退前未发送的走访")
    page.locator("#visit-form button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("1")

    page.locator("form.signout button").click()
    dialog = page.locator("#signout-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".signout-records")).to_have_text("1")
    screenshot(page, "35-sign-out-unsent-warning")
    dialog.locator(".signout-cancel").click()
    assert "/m/" in page.url and store_count(page, "outbox") == 1  # nothing dropped

    # Back online, but the server does not answer yet: the phone waits (back-off), the record stays.
    blocked = re.compile(r".*/api/v1/sync/.*")
    page.route(blocked, lambda route: route.abort())
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#sync-status")).to_contain_text("秒")
    page.locator("form.signout button").click()
    expect(dialog.locator(".signout-records")).to_have_text("1")
    page.unroute(blocked)
    dialog.locator(".signout-send").click()  # sending now cuts the wait short
    expect(page.locator("#synced li").first).to_contain_text("走访")
    expect(page.locator("#synced-heading")).to_be_visible()
    assert Visit.objects.filter(content="签退前未发送的走访").count() == 1
    assert store_count(page, "sent") >= 1

    with page.expect_navigation():
        page.locator("form.signout button").click()  # nothing unsent: no question, the store is cleared
    expect(page).to_have_url(re.compile(r"/login/|/$"))
    assert store_count(page, "outbox") == 0 and store_count(page, "sent") == 0
    assert not cached_phone_page(page)
    screenshot(page, "36-signed-out-store-cleared")

    sign_in(page, "village")
    page.goto(f"{site}/m/")
    expect(page.locator("#synced li")).to_have_count(0)
    expect(page.locator("#synced-heading")).to_be_hidden()  # nothing sent: no empty heading
    assert target_name not in page.locator("main").inner_text()


def test_the_next_account_does_not_get_the_previous_ones_cached_targets(phone_page, site, sign_in):
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => caches.match('/m/')).then(r => !!r)")
    page.context.clear_cookies()  # the session ran out without a sign-out
    sign_in(page, "village")
    page.wait_for_function("caches.match('/m/').then(r => !r)")


def test_due_this_month_follows_a_visit_as_soon_as_it_is_in(phone_page, site, sign_in, screenshot):
    """本月待办 is the server's count: once the phone's visit is accepted, the list is read again
    without a reload — the target visited leaves it (or its count goes up). The visit is
    recorded from the item's own button."""
    import datetime as dt

    from minqing.geo.models import Region
    from minqing.org.models import Account
    from minqing.people.models import Household
    from minqing.programs.services import campaign_start, pairing_create

    # A 三服务 campaign (月月访: every paired household each month) with the demo cadre paired.
    office, cadre = Account.objects.get(username="office"), Account.objects.get(username="cadre").cadre
    today = timezone.localdate()
    campaign = campaign_start(
        actor=office,
        program_key="sanfuwu",
        name="本月月月访",
        region=Region.objects.get(code="431123000000"),
        start=today.replace(day=1),
        end=today + dt.timedelta(days=60),
        units=[cadre.unit],
    )
    household = Household.objects.filter(region__code__startswith="431123").exclude(head=None).first()
    pairing_create(
        actor=office,
        campaign=campaign,
        cadre=cadre,
        kind="household_visits",
        target=household,
        start=campaign.start,
    )
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => caches.match('/m/')).then(r => !!r)")
    kept = page.evaluate("caches.match('/m/').then(r => r.text())")
    due = page.locator("#due li[data-target-type]")
    expect(due.first).to_be_visible()
    target_type, target_id = (
        due.first.get_attribute("data-target-type"),
        due.first.get_attribute("data-target-id"),
    )
    before = due.first.inner_text()
    selector = f'#due li[data-target-type="{target_type}"][data-target-id="{target_id}"]'
    # The item's own button opens the target's visit form, as the button on its card does.
    page.locator(selector).locator('button.due-do[data-do="visit"]').click()
    expect(page.locator("#visit-dialog .target-name")).to_have_text(
        page.locator(
            f'li.target[data-target-type="{target_type}"][data-target-id="{target_id}"] .who strong'
        ).first.inner_text()
    )
    page.locator("#visit-form textarea[name=content]").fill("本月走访：了解用水情况")
    page.locator("#visit-form button[value=save]").click()
    expect(page.locator("#synced li")).to_have_count(1)
    page.wait_for_function(
        "([selector, before]) => { const li = document.querySelector(selector); return !li || li.innerText !== before; }",
        arg=[selector, before],
    )
    # Read for its list only: the phone's kept copy of the page is not replaced by it (a copy kept
    # after a sign-out cleared the phone would outlive the account).
    assert page.evaluate("caches.match('/m/').then(r => r.text())") == kept
    screenshot(page, "35-due-after-a-visit")


def test_a_work_log_written_offline_at_a_point_arrives_once(phone_page, site, sign_in, screenshot):
    from minqing.fieldwork.models import WorkLog

    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    point = page.locator("li.target[data-target-type=point]").first
    expect(point).to_be_visible()
    page.context.set_offline(True)
    point.locator("button.do-worklog").click()
    form = page.locator("#worklog-form")
    assert form.locator("input[name=date]").input_value() == timezone.localdate().isoformat()
    form.locator("textarea[name=content]").fill("驻点：召开院坝会，走访两户")
    screenshot(page, "34-offline-worklog")
    form.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("1")
    assert not WorkLog.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(1)
    log = WorkLog.objects.get()
    assert log.content == "驻点：召开院坝会，走访两户" and log.date == timezone.localdate()
    assert log.point_id == int(point.get_attribute("data-target-id"))
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(1)
    assert WorkLog.objects.count() == 1
    # The link to the cadre's work logs, where it is listed.
    page.locator("#worklog-link").click()
    expect(page.locator("table")).to_contain_text("驻点：召开院坝会")


def test_an_activity_recorded_offline_arrives_once(phone_page, site, sign_in, screenshot):
    """The activity form (a campaign the cadre records activities in, its listed kinds) works
    without a signal through the same outbox: the activity arrives once, under its UUID."""
    from minqing.fieldwork.models import Activity
    from minqing.programs.models import Campaign

    campaign = Campaign.objects.get(program_key="xiajiceng")
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    expect(page.locator("#do-activity")).to_be_visible()
    before = Activity.objects.count()

    page.context.set_offline(True)
    page.locator("#do-activity").click()
    form = page.locator("#activity-form")
    form.locator("select[name=campaign]").select_option(str(campaign.pk))
    # The campaign's listed activities (四个一), not a kind to write in.
    expect(form.locator("select[name=kind] option")).to_have_count(len(campaign.config["activities"]))
    expect(form.locator("input[name=kind_text]")).to_be_hidden()
    form.locator("select[name=kind]").select_option("policy_talk")
    form.locator("input[name=title]").fill("离线：院坝会宣讲惠农政策")
    form.locator("input[name=attendance]").fill("25")
    assert form.locator("input[name=date]").input_value() == timezone.localdate().isoformat()
    screenshot(page, "37-offline-activity")
    form.locator("button[value=save]").click()
    expect(page.locator("#sync-status")).to_contain_text("1")
    assert Activity.objects.count() == before

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(1)
    activity = Activity.objects.get(title="离线：院坝会宣讲惠农政策")
    assert (activity.campaign_id, activity.kind, activity.attendance) == (campaign.pk, "policy_talk", 25)
    assert activity.cadre.account.username == "cadre" and activity.date == timezone.localdate()
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#synced li")).to_have_count(1)
    assert Activity.objects.count() == before + 1  # nothing sent twice
    # Listed on the activities page, its day as the pages write it.
    page.locator("#activity-link").click()
    expect(page.locator("#activities")).to_contain_text("离线：院坝会宣讲惠农政策")
    today = timezone.localdate()
    expect(page.locator("#activities")).to_contain_text(f"{today.year}年{today.month}月{today.day}日")


def test_a_missing_activity_s_button_and_a_team_point_s_check_in_work_from_the_phone(
    phone_page, site, sign_in, screenshot
):
    """五个一 due: the item's button opens the activity form with the campaign and the missing
    activity filled in; the point of the cadre's work team has a card to check in at today."""
    import datetime as dt

    from minqing.fieldwork.models import Activity, AttendanceDay
    from minqing.geo.models import Region
    from minqing.org.models import Account
    from minqing.programs.models import LiaisonPoint
    from minqing.programs.services import campaign_start, team_create

    office, cadre = Account.objects.get(username="office"), Account.objects.get(username="cadre").cadre
    today = timezone.localdate()
    campaign = campaign_start(
        actor=office,
        program_key="sanfuwu",
        name="本年五个一",
        region=Region.objects.get(code="431123000000"),
        start=today.replace(day=1),
        end=today + dt.timedelta(days=60),
        units=[cadre.unit],
    )
    point = (
        LiaisonPoint.objects.filter(region__code__startswith="431123", retired_on__isnull=True)
        .exclude(pairings__cadre=cadre)
        .exclude(attendance__cadre=cadre, attendance__date=today)
        .first()
    )
    team_create(actor=office, campaign=campaign, name="驻村五队", members=[cadre], points=[point])
    page = phone_page
    sign_in(page, "cadre")
    page.goto(f"{site}/m/")
    button = page.locator(
        f'#due button[data-do="activity"][data-campaign="{campaign.pk}"][data-kind="condolence_visit"]'
    )
    expect(button).to_be_visible()
    button.click()
    form = page.locator("#activity-form")
    expect(form.locator("select[name=campaign]")).to_have_value(str(campaign.pk))
    expect(form.locator("select[name=kind]")).to_have_value("condolence_visit")
    form.locator("input[name=title]").fill("走访慰问困难党员")
    screenshot(page, "38-activity-from-due")
    form.locator("button[value=save]").click()
    expect(page.locator("#synced li")).to_have_count(1)
    assert Activity.objects.get(campaign=campaign).kind == "condolence_visit"
    # The item leaves the list once the activity is in (the list is read again).
    expect(button).to_have_count(0)

    card = page.locator(f'#team-points li[data-target-id="{point.pk}"]')
    expect(card).to_contain_text("驻村五队")
    card.locator("button.do-checkin").click()
    expect(page.locator("#synced li")).to_have_count(2)
    assert AttendanceDay.objects.filter(cadre=cadre, point=point, date=today).count() == 1
    # Checked in: no second check-in is offered (the server would refuse it), nor after a reload.
    expect(card.locator("button.do-checkin")).to_be_disabled()
    expect(card.locator("button.do-checkin")).to_have_text("今天已签到")
    screenshot(page, "39-team-point-checked-in")
    page.reload()
    expect(card.locator("button.do-checkin")).to_be_disabled()
