from django.core.management.base import BaseCommand, CommandError

from minqing.geo.models import Region
from minqing.org.models import Account, Cadre
from minqing.programs.models import Campaign, LiaisonPoint

from ...documents import LAYOUTS, board_pdf, cards_pdf
from ...selectors import board_entries, card_entries


class Command(BaseCommand):
    help = (
        "Liaison cards as a print-ready PDF: `cards --campaign ID [--point ID | --cadre ID] [--layout "
        "sheet|single] -o FILE` (with --as USER, only what that account may see); or a village's "
        "disclosure board: `cards --board VILLAGE_CODE -o FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int)
        parser.add_argument("--point", type=int)
        parser.add_argument("--cadre", type=int)
        parser.add_argument("--board", default="", help="a village's code: its disclosure board")
        parser.add_argument("--layout", choices=LAYOUTS, default="sheet")
        parser.add_argument("--as", dest="username", default="")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, campaign, point, cadre, board, layout, username, output, **options):
        if board:
            village = Region.objects.filter(code=board, level=Region.Level.VILLAGE).first()
            if village is None:
                raise CommandError(f"no village with code {board}")
            entries = board_entries(village=village)
            with open(output, "wb") as out:
                out.write(board_pdf(village, entries))
            self.stdout.write(f"{len(entries)} cadres on the board → {output}")
            return
        if campaign is None:
            raise CommandError("--campaign ID (or --board CODE) is required")
        if point and cadre:
            raise CommandError("give --point or --cadre, not both")
        found = Campaign.objects.select_related("region").filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign}")
        user = None
        if username:
            user = Account.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active account {username}")
        the_point = LiaisonPoint.objects.filter(pk=point).first() if point else None
        if point and the_point is None:
            raise CommandError(f"no liaison point {point}")
        the_cadre = Cadre.objects.filter(pk=cadre).first() if cadre else None
        if cadre and the_cadre is None:
            raise CommandError(f"no cadre {cadre}")
        entries = card_entries(user=user, campaign=found, point=the_point, cadre=the_cadre)
        with open(output, "wb") as out:
            out.write(cards_pdf(entries, layout=layout, user=user, campaign=found))
        self.stdout.write(f"{len(entries)} cards → {output}")
