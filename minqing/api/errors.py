"""The API's error answers in the request's language (LocaleMiddleware has chosen it from
Accept-Language): the framework's own messages (401, 404, 400, validation errors) and a
JSON 500, always as {"detail": …}."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

# django-ninja's own HttpError texts (English, fixed in its code) and what we say instead.
FRAMEWORK_MESSAGES = {
    "Cannot parse request body": gettext_lazy("The request body cannot be read: send valid JSON."),
    "Unauthorized": gettext_lazy("Sign in: send a valid token as `Authorization: Bearer <token>`."),
    "Forbidden": gettext_lazy("This account may not do that."),
    "CSRF check Failed": gettext_lazy("The CSRF check failed."),
}

# pydantic's error types → the message a person reads; {…} come from the error's ctx.
VALIDATION_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not expected here."),
    "string_type": gettext_lazy("Enter text."),
    "string_sub_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("This value is not in the expected format."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_type": gettext_lazy("Enter a date and time, such as 2026-11-22T09:30+08:00."),
    "datetime_parsing": gettext_lazy("Enter a date and time, such as 2026-11-22T09:30+08:00."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time, such as 2026-11-22T09:30+08:00."),
    "time_type": gettext_lazy("Enter a time as HH:MM."),
    "time_parsing": gettext_lazy("Enter a time as HH:MM."),
    "uuid_type": gettext_lazy("Enter a UUID."),
    "uuid_parsing": gettext_lazy("Enter a UUID."),
    "list_type": gettext_lazy("Enter a list."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "json_invalid": gettext_lazy("This is not valid JSON."),
}


def validation_message(error: dict) -> str:
    """A pydantic error as a person reads it, in the request's language."""
    text = VALIDATION_MESSAGES.get(error.get("type", ""))
    if text is None:
        if error.get("type") == "value_error":
            # Our own validators' messages, already translated; pydantic puts its prefix before them.
            return str(error.get("msg", "")).removeprefix("Value error, ")
        return _("This value is not valid.")
    try:
        return str(text) % {k: v for k, v in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(text).split("%(")[0].rstrip(" :：") or _("This value is not valid.")


def install(api) -> None:
    """Put the translated handlers in place of django-ninja's defaults."""

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        # `loc` and `type` stay machine-readable; `msg` is said in the request's language.
        errors = [{**error, "msg": validation_message(error)} for error in exc.errors]
        return api.create_response(request, {"detail": errors}, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        return api.create_response(request, {"detail": str(FRAMEWORK_MESSAGES["Unauthorized"])}, status=401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc)
        for english, said in FRAMEWORK_MESSAGES.items():
            if message == english or message.startswith(english + " ("):
                message = str(said)
                break
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)


def api_or_page(page_view, status: int, message):
    """A Django error handler that answers JSON under /api/ and the page elsewhere."""

    def handler(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message)}, status=status)
        return page_view(request, *args, **kwargs)

    return handler
