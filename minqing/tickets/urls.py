from django.urls import path, register_converter

from . import open311, public, views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "tickets"
urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/mine/", views.ticket_mine, name="ticket-mine"),
    path("tickets/new/", views.ticket_create, name="ticket-create"),
    path("tickets/figures/", views.ticket_figures, name="ticket-figures"),
    path("tickets/extensions/", views.extension_list, name="extension-list"),
    path("tickets/ledger.xlsx", views.ticket_export, name="ticket-export"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/act/", views.ticket_act, name="ticket-act"),
    path("tickets/<int:pk>/photo/", views.ticket_photo, name="ticket-photo"),
    path("tickets/<int:pk>/reveal/", views.ticket_reveal, name="ticket-reveal"),
    path("t/", public.public_intake, name="public-intake"),
    path("t/track/", public.public_track, name="public-track"),
]

open311_patterns = (
    [
        path("discovery.<fmt:fmt>", open311.discovery, name="discovery"),
        path("services.<fmt:fmt>", open311.service_list, name="service-list"),
        path("services/<str:code>.<fmt:fmt>", open311.service_definition, name="service-definition"),
        path("requests.<fmt:fmt>", open311.request_list, name="request-list"),
        path("requests/<str:code>.<fmt:fmt>", open311.request_detail, name="request-detail"),
        path("tokens/<str:token>.<fmt:fmt>", open311.token_detail, name="token-detail"),
    ],
    "open311",
)
