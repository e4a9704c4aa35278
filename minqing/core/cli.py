"""What every `minqing` command shares: the language it speaks, and the look-ups and checks
whose failure ends a command with one translated message, worded the same in every command.

The models are imported where they are used: `minqing` reads the language rule before
Django is set up."""

import datetime as dt
import errno
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

LANGUAGE_VARIABLES = ("MINQING_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(environ: Mapping[str, str], default: str = "zh-hans") -> str:
    """The language of the command line (the pages follow the browser instead): the first of
    MINQING_LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set and not empty decides, in the
    order POSIX gives the last three: English if it starts with "en" (en, en_US.UTF-8), else
    `default`, Simplified Chinese (zh_CN.UTF-8, C, POSIX, de_DE …)."""
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else default
    return default


def activate_cli_language(environ: Mapping[str, str]) -> None:
    """Speak the command line's language in this thread (`minqing` calls it before a command
    runs; a command called from code keeps the caller's language)."""
    import django
    from django.conf import settings
    from django.utils import translation

    try:
        django.setup()
    except Exception:
        # Django's command runner sets up again and reports the error its own way (its
        # development server waits for the fix instead of exiting).
        return
    translation.activate(cli_language(environ, settings.LANGUAGE_CODE))


# Values given on the command line ---------------------------------------------------


def iso_date(text: str) -> dt.date:
    """YYYY-MM-DD, or a CommandError (also usable as an argparse `type`)."""
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(_("Not a date (YYYY-MM-DD): %(text)s") % {"text": text}) from None


def iso_month(text: str) -> dt.date:
    """YYYY-MM → the month's first day, or a CommandError."""
    try:
        if len(text) != 7:
            raise ValueError(text)
        return dt.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        raise CommandError(_("Not a month (YYYY-MM): %(text)s") % {"text": text}) from None


def invalid(exc: ValidationError) -> CommandError:
    """A service's refusal as the command's error: its messages, already translated."""
    return CommandError(" ".join(exc.messages))


# Records named on the command line -------------------------------------------------


def campaign_or_error(pk: int):
    from minqing.programs.models import Campaign

    found = Campaign.objects.select_related("region").filter(pk=pk).first()
    if found is None:
        raise CommandError(_("There is no campaign %(id)s.") % {"id": pk})
    return found


def region_or_error(code: str):
    """A region by its code; a 6-digit county code (or any shorter prefix) means its 12-digit one."""
    from minqing.geo.models import Region

    full = code.ljust(12, "0") if len(code) < 12 else code
    found = Region.objects.filter(code=full).first()
    if found is None:
        raise CommandError(_("There is no region with the code %(code)s.") % {"code": code})
    return found


def unit_or_error(value):
    from minqing.org.models import Unit

    text = str(value)
    found = Unit.objects.filter(pk=int(text)).first() if text.isascii() and text.isdigit() else None
    if found is None:
        raise CommandError(_("There is no unit %(id)s.") % {"id": value})
    return found


def account_or_error(username: str, *, active: bool = True):
    """The account of that username; with `active`, only an account not disabled."""
    from minqing.org.models import Account

    accounts = Account.objects.filter(username=username)
    found = (accounts.filter(is_active=True) if active else accounts).first()
    if found is None:
        if active:
            raise CommandError(_("There is no active account %(username)s.") % {"username": username})
        raise CommandError(_("There is no account %(username)s.") % {"username": username})
    return found


def cadre_or_error(username: str):
    from minqing.org.models import Cadre

    found = Cadre.objects.select_related("account", "unit").filter(account__username=username).first()
    if found is None:
        raise CommandError(_("There is no cadre with the username %(username)s.") % {"username": username})
    return found


# Files --------------------------------------------------------------------------------


def file_error(exc: OSError, path=None, *, writing: bool) -> CommandError:
    """An operating system's refusal, said in the command's language (never "[Errno 2] …");
    `path` defaults to the file the error names."""
    name = str(path if path is not None else exc.filename)
    if isinstance(exc, IsADirectoryError):
        return CommandError(_("%(file)s is a folder, not a file.") % {"file": name})
    if exc.errno in (errno.EACCES, errno.EPERM):
        if writing:
            return CommandError(_("%(file)s may not be written (permission denied).") % {"file": name})
        return CommandError(_("%(file)s may not be read (permission denied).") % {"file": name})
    if exc.errno == errno.ENOENT:
        if writing:
            return CommandError(_("The folder of %(file)s does not exist.") % {"file": name})
        return CommandError(_("There is no file %(file)s.") % {"file": name})
    if exc.errno == errno.ENOSPC:
        return CommandError(_("There is no space left to write %(file)s.") % {"file": name})
    reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    if writing:
        return CommandError(_("Cannot write %(file)s (%(reason)s).") % {"file": name, "reason": reason})
    return CommandError(_("Cannot read %(file)s (%(reason)s).") % {"file": name, "reason": reason})


def read_text(path) -> str:
    """The UTF-8 text of a file named on the command line, or a CommandError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": path}) from None
    except OSError as exc:
        raise file_error(exc, path, writing=False) from None


def existing_file(path) -> Path:
    """A file named on the command line that must exist (read later by other code)."""
    found = Path(path)
    if found.is_dir():
        raise CommandError(_("%(file)s is a folder, not a file.") % {"file": path})
    if not found.is_file():
        raise CommandError(_("There is no file %(file)s.") % {"file": path})
    return found


def write_bytes(path, data: bytes) -> None:
    """Write a file named on the command line, or end the command with a CommandError."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise file_error(exc, path, writing=True) from None
