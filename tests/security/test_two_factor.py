"""Two factors (TOTP through django-otp) for the three administrators and campaign
offices: enrolment with a QR code, single-use codes, recovery codes shown once and
stored hashed, the 5th wrong code locks. An administrator with a password but no second
factor reaches no administrator page."""

import re

import pytest
from django.test import override_settings
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.core.models import AuditEvent
from minqing.core.roles import Role
from minqing.org.models import Account
from minqing.org.services import account_create, grant_set
from minqing.security.models import RecoveryCode
from minqing.security.services import otp_check
from tests.conftest import verify_second_factor

ADMIN_PAGES = {
    "sysadmin": ["/security/accounts/", "/security/accounts/new/", "/org/cadres/"],
    "secadmin": ["/security/roles/", "/org/units/"],
    "auditor": ["/security/audit/"],
}


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def real_admin(role: str, username: str = "admin2") -> Account:
    """A non-demo administrator whose password was already changed (so only the second
    factor stands in the way)."""
    account = account_create(actor=None, username=username, full_name="管理员", password="Admin-Pass-2026-x")
    grant_set(actor=None, account=account, role=role)
    Account.objects.filter(pk=account.pk).update(must_change_password=False)
    return account


def signed_in_with_password(client, account):
    client.post("/login/", {"username": account.username, "password": "Admin-Pass-2026-x"})
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR])
def test_an_administrator_with_a_password_but_no_second_factor_reaches_no_admin_page(client, db, role):
    account = real_admin(role)
    signed_in_with_password(client, account)
    for path in ADMIN_PAGES[role] + ["/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/security/two-factor/enrol/"), path


def test_with_a_device_but_no_code_the_administrator_is_sent_to_verify(client, db):
    account = real_admin(Role.AUDITOR)
    TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    signed_in_with_password(client, account)
    response = client.get("/security/audit/")
    assert response["Location"].startswith("/security/two-factor/?next=/security/audit/")


def test_a_campaign_office_needs_two_factors_too(client, db):
    from minqing.geo.models import Region

    account = account_create(actor=None, username="office2", full_name="活动办", password="Office-Pass-2026")
    grant_set(
        actor=None, account=account, role=Role.OFFICE, regions=[Region.objects.get(code="431123000000")]
    )
    Account.objects.filter(pk=account.pk).update(must_change_password=False)
    client.post("/login/", {"username": "office2", "password": "Office-Pass-2026"})
    assert client.get("/people/households/")["Location"].startswith("/security/two-factor/enrol/")


def test_other_roles_may_go_without_a_second_factor(client, db):
    account = account_create(actor=None, username="cadre2", full_name="干部", password="Cadre-Pass-2026")
    grant_set(actor=None, account=account, role=Role.CADRE, own_records=True)
    Account.objects.filter(pk=account.pk).update(must_change_password=False)
    client.post("/login/", {"username": "cadre2", "password": "Cadre-Pass-2026"})
    assert client.get("/").status_code == 200


def test_demo_administrators_are_exempt_unless_the_setting_requires_it(client_as, db):
    assert client_as("auditor").get("/security/audit/").status_code == 200
    with override_settings(DEMO_REQUIRE_2FA=True):
        response = client_as("auditor").get("/security/audit/")
        assert response["Location"].startswith("/security/two-factor/enrol/")
        assert client_as("auditor", verified=True).get("/security/audit/").status_code == 200


def test_the_roles_page_says_that_demo_accounts_skip_the_forced_second_factor_by_design(client_as, db):
    def policy() -> str:
        with translation.override("en"):
            page = client_as("secadmin", verified=True).get("/security/roles/", HTTP_ACCEPT_LANGUAGE="en")
        return re.search(r'<section id="policy">(.*?)</section>', page.content.decode(), re.S).group(1)

    exempt = policy()
    assert "<dt>Demo accounts</dt>" in exempt
    assert "are not made to enrol a second factor, by design" in exempt
    assert "MINQING_DEMO_REQUIRE_2FA=1 makes them enrol too" in exempt
    with override_settings(DEMO_REQUIRE_2FA=True):
        assert "must enrol a second factor too (MINQING_DEMO_REQUIRE_2FA=1)" in policy()


def test_enrolment_shows_a_qr_code_then_recovery_codes_once_and_stores_them_hashed(client, db):
    account = real_admin(Role.SYSADMIN)
    signed_in_with_password(client, account)
    page = client.get("/security/two-factor/enrol/").content.decode()
    assert "<svg" in page and 'class="segno"' in page
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    response = client.post("/security/two-factor/enrol/", {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(device__user=account).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c in stored or c.replace("-", "") in stored for c in codes)
    # Enrolment signs the session in with the new factor: the pages open.
    assert client.get("/security/accounts/").status_code == 200
    # Shown once: the enrolment page now says it is on, and shows no codes.
    again = client.get("/security/two-factor/enrol/").content.decode()
    assert not any(c in again for c in codes)
    assert AuditEvent.objects.filter(action="otp.enrol", username=account.username, result="ok").exists()


def test_a_replayed_totp_code_is_refused(db):
    account = real_admin(Role.SECADMIN)
    device = TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    code = code_for(device)
    assert otp_check(account=account, code=code) is not None
    assert otp_check(account=account, code=code) is None
    assert AuditEvent.objects.filter(action="otp.verify", result="failed", username=account.username).exists()


def test_a_recovery_code_works_once(db):
    from minqing.security.services import recovery_codes_renew

    account = real_admin(Role.AUDITOR)
    TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    codes = recovery_codes_renew(account=account)
    assert otp_check(account=account, code=codes[3]) is not None
    assert otp_check(account=account, code=codes[3]) is None
    assert RecoveryCode.objects.filter(device__user=account).count() == 9


def test_the_fifth_wrong_code_locks_the_second_factor_for_30_minutes(client, clock, db):
    account = real_admin(Role.SYSADMIN)
    device = TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    signed_in_with_password(client, account)
    for _ in range(5):
        client.post("/security/two-factor/", {"code": "000000"})
    response = client.post("/security/two-factor/", {"code": code_for(device)})
    assert response.status_code == 200  # the right code, refused while locked
    assert AuditEvent.objects.filter(action="otp.lockout", username=account.username).exists()
    assert client.get("/security/accounts/").status_code == 302
    clock.advance(minutes=31)  # the idle administrator's session ended meanwhile: sign in again
    signed_in_with_password(client, account)
    response = client.post("/security/two-factor/?next=/security/accounts/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/security/accounts/"
    assert client.get("/security/accounts/").status_code == 200


def test_a_verified_session_passes_and_a_code_sign_in_is_audited(client, db):
    account = real_admin(Role.SECADMIN)
    device = TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    signed_in_with_password(client, account)
    response = client.post("/security/two-factor/?next=/security/roles/", {"code": code_for(device)})
    assert response["Location"] == "/security/roles/"
    assert client.get("/security/roles/").status_code == 200
    event = AuditEvent.objects.filter(action="otp.verify", username=account.username).latest("id")
    assert event.result == "ok" and event.detail == {"device": "totp"}


def test_the_test_helper_marks_a_session_verified(client, db):
    account = real_admin(Role.AUDITOR)
    client.force_login(account)
    assert client.get("/security/audit/").status_code == 302
    verify_second_factor(client, account)
    assert client.get("/security/audit/").status_code == 200
