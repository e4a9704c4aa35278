from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.i18n import set_language

from minqing.api.errors import api_or_page
from minqing.api.v1 import api
from minqing.tickets.urls import open311_patterns
from minqing.web import views as web_views

urlpatterns = [
    # First: phones' uploads and other API calls are the most frequent requests, and a path
    # is matched against the patterns in order (the pages' patterns never start with api/).
    path("api/v1/", api.urls),
    path("", include("minqing.web.urls")),
    path("people/", include("minqing.people.urls")),
    path("org/", include("minqing.org.urls")),
    path("geo/", include("minqing.geo.urls")),
    path("", include("minqing.programs.urls")),
    path("", include("minqing.fieldwork.urls")),
    path("", include("minqing.documents.urls")),
    path("security/", include("minqing.security.urls")),
    path("exports/", include("minqing.exports.urls")),
    path("", include("minqing.tickets.urls")),
    path("", include("minqing.figures.urls")),
    path("", include("minqing.appraisal.urls")),
    path("", include("minqing.ledgers.urls")),
    path("", include("minqing.cards.urls")),
    path("assessment/", include("minqing.assessment.urls")),
    path("open311/v2/", include(open311_patterns)),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", web_views.healthz, name="healthz"),
]

# Under /api/ an error Django itself answers (an unknown path, an uncaught exception) is JSON in
# the request's language, like the API's own errors; the pages keep Django's pages.
handler400 = api_or_page(defaults.bad_request, 400, gettext_lazy("The request is not valid."))
handler403 = api_or_page(defaults.permission_denied, 403, gettext_lazy("This account may not do that."))
handler404 = api_or_page(defaults.page_not_found, 404, gettext_lazy("Not found."))
handler500 = api_or_page(
    defaults.server_error, 500, gettext_lazy("Server error: it has been logged. Try again later.")
)
