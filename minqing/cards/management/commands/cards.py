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
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, campaign, point, cadre, board, layout, username, output, **options):
        if board:
            village = Region.objects.filter(code=board, level=Region.Level.VILLAGE).first()
            if village is None:
                raise CommandError(_("There is no village with the code %(code)s.") % {"code": board})
            entries = board_entries(village=village)
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
        entries = card_entries(user=user, campaign=found, point=the_point, cadre=the_cadre)
        # The cards name cadres with their phones: cards_pdf records the print, as the page's.
        with context.acting(channel="cli", user=user):
            pdf = cards_pdf(entries, layout=layout, user=user, campaign=found)
        write_bytes(output, pdf)
        self.stdout.write(_("%(n)s cards → %(file)s") % {"n": len(entries), "file": output})
