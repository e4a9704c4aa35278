from django.utils.translation import gettext as _
from ninja import NinjaAPI

from minqing.appraisal.api import router as appraisal_router
from minqing.assessment.api import router as assessment_router
from minqing.cards.api import router as cards_router
from minqing.core.ratelimit import RateLimited
from minqing.documents.api import router as documents_router
from minqing.exports.api import router as exports_router
from minqing.fieldwork.api import router as fieldwork_router
from minqing.figures.api import router as figures_router
from minqing.geo.api import router as geo_router
from minqing.ledgers.api import router as ledgers_router
from minqing.org.api import router as org_router
from minqing.people.api import router as people_router
from minqing.programs.api import router as programs_router
from minqing.tickets.api import router as tickets_router

from . import errors
from .auth import BearerToken

api = NinjaAPI(
    title="Minqing API",
    version="1",
    description="Read access to regions, units, cadres and households, scoped exactly like the pages. "
    "Personal identifiers are always masked.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url=None,
)
errors.install(api)
api.add_router("/regions", geo_router)
api.add_router("/", org_router)
api.add_router("/", people_router)
api.add_router("/", programs_router)
api.add_router("/", fieldwork_router)
api.add_router("/", documents_router)
api.add_router("/", exports_router)
api.add_router("/", tickets_router)
api.add_router("/", appraisal_router)
api.add_router("/", ledgers_router)
api.add_router("/", cards_router)
api.add_router("/", figures_router)
api.add_router("/", assessment_router)


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = api.create_response(
        request,
        {"detail": _("Too many requests. Try again in %(n)d seconds.") % {"n": exc.retry_after}},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response
