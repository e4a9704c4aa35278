"""`minqing check --deploy`: what a production site should set for its cards to work."""

from django.conf import settings
from django.core.checks import Warning, register
from django.utils.translation import gettext as _


@register(deploy=True)
def site_url_set(app_configs, **kwargs) -> list[Warning]:
    """Without MINQING_SITE_URL a page builds its QR codes from the host it was asked at (behind
    a proxy or on an intranet name, an address residents cannot reach), and `minqing cards`
    refuses to print: said before the first cards are handed out, not after."""
    if settings.SITE_URL.strip():
        return []
    return [
        Warning(
            _(
                "MINQING_SITE_URL is not set: the QR codes of liaison cards and disclosure boards "
                "are built from the address each request was made to, and the `minqing cards` "
                "command needs --site-url."
            ),
            hint=_(
                "Set MINQING_SITE_URL to the address residents reach Minqing at "
                "(e.g. https://minqing.example.gov.cn)."
            ),
            id="cards.W001",
        )
    ]
