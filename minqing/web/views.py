from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minqing.core.scope import scope_for
from minqing.geo.selectors import region_roots
from minqing.org.selectors import cadre_list, unit_list
from minqing.people.selectors import household_list
from minqing.security.forms import LoginForm
from minqing.security.middleware import EXPIRED


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Set by the session policy when it ended the previous session.
        context["expired"] = self.request.session.pop(EXPIRED, "")
        return context


class LogoutView(auth_views.LogoutView):
    pass


def home(request):
    scope = scope_for(request.user)
    counts = {}
    if scope.has("people.view"):
        counts["households"] = household_list(user=request.user).count()
        counts["hardship"] = household_list(user=request.user).filter(hardship_level__gt=0).count()
    # Only for a grant beyond one's own records: a cadre's would count themselves and no unit.
    if scope.reaches("org.view"):
        counts["cadres"] = cadre_list(user=request.user).count()
        counts["units"] = unit_list(user=request.user).count()
    regions = list(region_roots(user=request.user)[:20]) if scope.has("geo.view") else []
    return render(request, "web/home.html", {"counts": counts, "regions": regions, "scope": scope})


@login_not_required
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
