"""Accounts unused for 90 days are disabled by `minqing accounts disable-idle` (cron)."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from minqing.core.models import AuditEvent
from minqing.org.models import Account, ApiToken
from minqing.org.services import token_create


def test_accounts_idle_for_90_days_are_disabled_and_audited(db, capsys):
    now = timezone.now()
    Account.objects.update(last_login=now - dt.timedelta(days=10))
    Account.objects.filter(username="leader").update(last_login=now - dt.timedelta(days=91))
    Account.objects.filter(username="inspector").update(
        last_login=None, date_joined=now - dt.timedelta(days=120)
    )
    Account.objects.filter(username="unit").update(last_login=None, date_joined=now - dt.timedelta(days=5))
    Account.objects.filter(username="village").update(last_login=now - dt.timedelta(days=200))
    token_create(actor=None, account=Account.objects.get(username="village"))
    ApiToken.objects.filter(account__username="village").update(last_used_at=now - dt.timedelta(days=3))
    call_command("accounts", "disable-idle")
    assert "已停用 2 个长期未使用的账号" in capsys.readouterr().out
    disabled = set(Account.objects.filter(is_active=False).values_list("username", flat=True))
    assert disabled == {"leader", "inspector"}  # village still uses the API; unit is new
    assert AuditEvent.objects.filter(action="account.disable", detail__reason="idle").count() == 2


def test_a_dry_run_disables_nothing(db, capsys):
    Account.objects.filter(username="leader").update(last_login=timezone.now() - dt.timedelta(days=91))
    call_command("accounts", "disable-idle", "--dry-run")
    assert "将停用" in capsys.readouterr().out
    assert Account.objects.get(username="leader").is_active


def test_the_command_line_resets_an_administrators_password(db, capsys):
    call_command("accounts", "reset-password", "secadmin")
    assert "secadmin 的临时密码" in capsys.readouterr().out
    assert Account.objects.get(username="secadmin").must_change_password
