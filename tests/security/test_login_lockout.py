"""Sign-in failures: the 5th within 15 minutes locks the username (and, separately, the
IP address) for 30 minutes; the message is the same whatever went wrong; every attempt
is in the audit trail."""

from minqing.core.models import AuditEvent
from minqing.demo.generate import demo_password
from minqing.security.forms import GENERIC_LOGIN_ERROR


def attempt(client, username, password, ip="10.1.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_the_fifth_failure_locks_the_username_and_the_right_password_is_refused(client, db):
    # From five different addresses, so only the username's count reaches the limit.
    for i in range(4):
        attempt(client, "office", "wrong", ip=f"10.0.0.{i}")
    assert signed_in(attempt(client, "office", demo_password()[0], ip="10.0.0.9"))  # 4 failures: fine
    client.post("/logout/")
    for i in range(5):
        attempt(client, "office", "wrong", ip=f"10.0.1.{i}")
    response = attempt(client, "office", demo_password()[0], ip="10.0.2.1")
    assert not signed_in(response)
    assert AuditEvent.objects.filter(
        action="auth.lockout", detail__kind="username", object_repr="office"
    ).exists()
    assert AuditEvent.objects.filter(
        action="auth.login_failed", result="denied", detail__reason="locked", object_repr="office"
    ).exists()


def test_a_success_before_the_fifth_failure_starts_the_count_again(client, db):
    for i in range(4):
        attempt(client, "leader", "wrong", ip=f"10.0.3.{i}")
    assert signed_in(attempt(client, "leader", demo_password()[0], ip="10.0.3.9"))
    client.post("/logout/")
    for i in range(4):
        attempt(client, "leader", "wrong", ip=f"10.0.4.{i}")
    assert signed_in(attempt(client, "leader", demo_password()[0], ip="10.0.4.9"))


def test_the_lock_is_lifted_after_30_minutes(client, clock, db):
    for i in range(5):
        attempt(client, "office", "wrong", ip=f"10.0.5.{i}")
    clock.advance(minutes=29)
    assert not signed_in(attempt(client, "office", demo_password()[0], ip="10.0.6.1"))
    clock.advance(minutes=2)
    assert signed_in(attempt(client, "office", demo_password()[0], ip="10.0.6.2"))


def test_failures_older_than_15_minutes_do_not_count(client, clock, db):
    for i in range(4):
        attempt(client, "office", "wrong", ip=f"10.0.7.{i}")
    clock.advance(minutes=16)
    attempt(client, "office", "wrong", ip="10.0.7.8")  # only one within the window now
    assert signed_in(attempt(client, "office", demo_password()[0], ip="10.0.7.9"))


def test_the_fifth_failure_from_one_ip_locks_that_ip_for_every_username(client, clock, db):
    for name in ["a1", "b2", "c3", "d4", "e5"]:
        attempt(client, name, "wrong", ip="10.9.9.9")
    assert AuditEvent.objects.filter(
        action="auth.lockout", detail__kind="ip", detail__key="10.9.9.9"
    ).exists()
    assert not signed_in(attempt(client, "office", demo_password()[0], ip="10.9.9.9"))
    assert signed_in(attempt(client, "office", demo_password()[0], ip="10.9.9.10"))
    client.post("/logout/")
    clock.advance(minutes=31)
    assert signed_in(attempt(client, "office", demo_password()[0], ip="10.9.9.9"))


def test_the_message_is_the_same_for_unknown_wrong_disabled_and_locked(client, db):
    from django.utils import translation

    from minqing.org.models import Account

    Account.objects.filter(username="unit").update(is_active=False)
    for i in range(5):
        attempt(client, "village", "wrong", ip=f"10.0.8.{i}")
    with translation.override("zh-hans"):
        expected = str(GENERIC_LOGIN_ERROR)
    pages = {
        "unknown": attempt(client, "nobody-here", "whatever1A", ip="10.0.9.1"),
        "wrong password": attempt(client, "office", "whatever1A", ip="10.0.9.2"),
        "disabled": attempt(client, "unit", demo_password()[0], ip="10.0.9.3"),
        "locked": attempt(client, "village", demo_password()[0], ip="10.0.9.4"),
    }
    for case, response in pages.items():
        assert response.status_code == 200, case
        assert expected in response.content.decode(), case


def test_every_attempt_is_audited_with_its_address(client, db):
    before = AuditEvent.objects.filter(action__startswith="auth.").count()
    attempt(client, "office", "wrong", ip="10.2.2.2")
    attempt(client, "office", demo_password()[0], ip="10.2.2.3")
    rows = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("id"))[before:]
    assert [(r.action, r.result, r.ip) for r in rows] == [
        ("auth.login_failed", "failed", "10.2.2.2"),
        ("auth.login", "ok", "10.2.2.3"),
    ]


def test_behind_the_proxy_a_forged_forwarded_address_does_not_dodge_the_ip_lock(client, settings, db):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for i in range(5):
        # The client sends a made-up address first; the proxy appends the real one.
        client.post(
            "/login/",
            {"username": f"u{i}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.8.8.8",
            REMOTE_ADDR="127.0.0.1",
        )
    assert AuditEvent.objects.filter(action="auth.lockout", detail__key="10.8.8.8").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", ip="10.8.8.8").count() == 5
