from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core import context
from minqing.core.cli import CliCommand, account_or_error, campaign_or_error, write_bytes
from minqing.geo.models import Region
from minqing.org.models import Cadre
from minqing.programs.models import LiaisonPoint

from ...documents import LAYOUTS, board_pdf, cards_pdf
from ...selectors import board_entries, card_entries


class Command(CliCommand):
    help = gettext_lazy(
        "Liaison cards as a print-ready PDF: `cards --campaign ID [--point ID | --cadre ID] [--layout "
        "sheet|single] -o FILE` (with --as USER, only what that account may see); or a village's "
        "disclosure board: `cards --board VILLAGE_CODE -o FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int)
        parser.add_argument("--point", type=int)
        parser.add_argument("--cadre", type=int)
        parser.add_argument(
            "--board", default="", help=gettext_lazy("a village's code: its disclosure board")
        )
        parser.add_argument("--layout", choices=LAYOUTS, default="sheet")
        parser.add_argument("--as", dest="username", default="")
        parser.add_argument(
            "--site-url",
            default="",
            help=gettext_lazy(
                "the address residents reach Minqing at (https://…), where the QR codes lead; "
                "default MINQING_SITE_URL"
            ),
        )
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, campaign, point, cadre, board, layout, username, site_url, output, **options):
        if board:
            village = Region.objects.filter(code=board, level=Region.Level.VILLAGE).first()
            if village is None:
                raise CommandError(_("There is no village with the code %(code)s.") % {"code": board})
            entries = board_entries(village=village, site=_site(site_url))
            write_bytes(output, board_pdf(village, entries))
            self.stdout.write(_("%(n)s cadres on the board → %(file)s") % {"n": len(entries), "file": output})
            return
        if campaign is None:
            raise CommandError(_("Give --campaign ID (or --board CODE)."))
        if point and cadre:
            raise CommandError(_("Give --point or --cadre, not both."))
        found = campaign_or_error(campaign)
        user = account_or_error(username) if username else None
        the_point = LiaisonPoint.objects.filter(pk=point).first() if point else None
        if point and the_point is None:
            raise CommandError(_("There is no liaison point %(id)s.") % {"id": point})
        the_cadre = Cadre.objects.filter(pk=cadre).first() if cadre else None
        if cadre and the_cadre is None:
            raise CommandError(_("There is no cadre %(id)s.") % {"id": cadre})
        site = _site(site_url)
        entries = card_entries(user=user, campaign=found, site=site, point=the_point, cadre=the_cadre)
        # The cards name cadres with their phones: cards_pdf records the print, as the page's.
        with context.acting(channel="cli", user=user):
            pdf = cards_pdf(entries, layout=layout, user=user, campaign=found)
        write_bytes(output, pdf)
        self.stdout.write(_("%(n)s cards → %(file)s") % {"n": len(entries), "file": output})


def _site(given: str) -> str:
    """The address the codes lead to: --site-url, else MINQING_SITE_URL. Without either the
    command refuses: it has no request to take the address from, and cards printed with
    127.0.0.1 lead every resident who scans them nowhere."""
    site = (given or settings.SITE_URL).strip()
    if not site:
        raise CommandError(
            _(
                "Set MINQING_SITE_URL to the address residents reach Minqing at (e.g. "
                "https://minqing.example.gov.cn), or give --site-url: the QR codes lead there."
            )
        )
    # An intranet's host may have no dot (http://minqing:8000): only the form is checked.
    try:
        parts = urlsplit(site)
        parts.port  # noqa: B018 (a port that is no number raises here)
        fine = parts.scheme in ("http", "https") and parts.hostname and not (parts.query or parts.fragment)
    except ValueError:
        fine = False
    if not fine:
        raise CommandError(
            _("%(url)s is no web address: give one like https://minqing.example.gov.cn.") % {"url": site}
        )
    return site.rstrip("/")
