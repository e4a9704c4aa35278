"""What every `minqing` command shares: the language it speaks (its messages, its `--help` and
argparse's own words), and the look-ups and checks whose failure ends a command with one
translated message, worded the same in every command.

The models are imported where they are used: `minqing` reads the language rule before
Django is set up."""

import argparse
import datetime as dt
import errno
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

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

    try:
        django.setup()
    except Exception:
        # Django's command runner sets up again and reports the error its own way (its
        # development server waits for the fix instead of exiting).
        return
    translation.activate(cli_language(environ, settings.LANGUAGE_CODE))
    speak_argparse()


# argparse's own words --------------------------------------------------------------------

# What argparse says to someone typing a command (its help headings and its errors), kept
# here so that `make messages` keeps them in the catalogue. argparse's errors for the
# programmer ("conflicting option string", "dest= is required" …) stay English.
ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("%(heading)s:"),  # the section headings from Python 3.13 on
    gettext_noop("show this help message and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("unexpected option string: %s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    ngettext_lazy("expected %s argument", "expected %s arguments"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def speak_argparse() -> None:
    """Let argparse say its words in the active language. argparse words them with the
    `gettext` module's functions, bound to its own module names `_` and `ngettext` when it
    is imported, and those read GNU catalogues that Django's do not feed: bind the names to
    Django's functions instead, which find ARGPARSE_MESSAGES in our catalogue (and give an
    untranslated word back as it is, so English stays argparse's own). `minqing` calls it,
    a process that runs one command: this changes argparse for the whole process."""
    argparse._ = translation.gettext
    argparse.ngettext = translation.ngettext


# Django's words for the options every command has, which Django leaves untranslated.
DJANGO_OPTIONS = frozenset(
    (
        gettext_noop("Show program's version number and exit."),
        gettext_noop(
            "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"
        ),
        gettext_noop(
            'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t '
            "provided, the DJANGO_SETTINGS_MODULE environment variable will be used."
        ),
        gettext_noop('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
        gettext_noop("Display a full stack trace on CommandError exceptions."),
        gettext_noop("Don't colorize the command output."),
        gettext_noop("Force colorization of the command output."),
        gettext_noop("Skip system checks."),
    )
)


class CliCommand(BaseCommand):
    """A `minqing` command, whose help is said in the active language: its `help` and its
    arguments' help are lazy texts (the class is made when its module is imported), read when
    the parser is made or argparse formats the help, after `minqing` has chosen the language;
    Django's own options (--verbosity, --settings …) are described from our catalogue too."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse wraps the description with a regular expression, which wants a real str.
        parser.description = str(self.help) if self.help else None
        for action in parser._actions:
            if isinstance(action.help, str) and action.help in DJANGO_OPTIONS:
                action.help = _(action.help)
        return parser


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


# Reads of personal data -----------------------------------------------------------


def audit_read(*, action: str, user=None, obj=None, shown: int, **detail):
    """A command printed or wrote residents' or cadres' personal data (names, phones, ID
    numbers, addresses, cadres' records): one audit row for the run, as a page's read is
    (core.audit.audit_list_read, with the page's action where there is one), on the command
    line's channel. `user` is the account the command read as (--as), None the operator at
    the server's shell; `detail` names what was read (campaign, filters, format, the file
    written), never the data itself."""
    from minqing.core import context
    from minqing.core.audit import audit_list_read
    from minqing.org.models import Account

    # A viewer that is not an account (figures' CampaignOffice) is the operator.
    user = user if isinstance(user, Account) else None
    if context.current().channel == "cli" and context.current().user == user:
        # Inside the command's own context: the run's writes and its read share one request id.
        return audit_list_read(action=action, user=user, obj=obj, shown=shown, **detail)
    with context.acting(channel="cli", user=user):
        return audit_list_read(action=action, user=user, obj=obj, shown=shown, **detail)


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
