import re
import uuid

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware

from . import context

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give every request an id and remember who acts from where, for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        ip = request.META.get("REMOTE_ADDR", "")
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            # Behind our one TLS proxy: the address it appended, the last one. Earlier
            # entries come from the client and could be anything (a spoofed address would
            # dodge the per-IP sign-in lock and lie in the audit trail).
            forwarded = request.headers.get("X-Forwarded-For", "")
            ip = forwarded.split(",")[-1].strip() or ip
        channel = "api" if request.path.startswith("/api/") else "web"
        with context.acting(ip=ip, request_id=request_id, channel=channel):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AuditUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            context.set_user(request.user)
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Default deny: every page needs a session unless its view is marked
    @login_not_required. The API authenticates each request itself (bearer token)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RequestSizeMiddleware:
    """Refuse a request whose body is larger than any form or file of the system needs
    (settings.MINQING_MAX_REQUEST_BYTES), before anything reads it: otherwise Django would
    write a multi-gigabyte upload to a temporary file before a view could say it is too
    large. The largest legitimate body is one 10 MB file (an import, a photo) with its form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MINQING_MAX_REQUEST_BYTES
        if length > limit:
            from django.http import HttpResponse, JsonResponse
            from django.utils.translation import gettext as _

            message = _(
                "The request is %(size).1f MB; at most %(max)s MB is accepted (a file of 10 MB at most)."
            ) % {
                "size": length / 1024 / 1024,
                "max": limit // (1024 * 1024),
            }
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"
            return response
        return self.get_response(request)
