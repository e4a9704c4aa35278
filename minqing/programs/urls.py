from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("programs/", views.program_list, name="program-list"),
    path("programs/add/", views.program_add, name="program-add"),
    path("programs/<slug:key>.toml", views.program_source, name="program-source"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/start/", views.campaign_start, name="campaign-start"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/withdraw/", views.campaign_withdraw, name="campaign-withdraw"),
    path("campaigns/<int:pk>/compliance/", views.campaign_compliance, name="campaign-compliance"),
    path(
        "campaigns/<int:pk>/compliance.xlsx",
        views.campaign_compliance_export,
        name="campaign-compliance-export",
    ),
    path("campaigns/<int:pk>/pairings/", views.pairing_list, name="pairing-list"),
    path("campaigns/<int:pk>/pairings/new/", views.pairing_create, name="pairing-create"),
    path("campaigns/<int:pk>/pairings/households/", views.household_options, name="household-options"),
    path("campaigns/<int:pk>/pairings/<int:pairing_pk>/end/", views.pairing_end, name="pairing-end"),
    path(
        "campaigns/<int:pk>/pairings/<int:pairing_pk>/withdraw/",
        views.pairing_withdraw,
        name="pairing-withdraw",
    ),
    path("campaigns/<int:pk>/teams/", views.team_list, name="team-list"),
    path("campaigns/<int:pk>/teams/<int:team_pk>/", views.team_detail, name="team-detail"),
    path("campaigns/<int:pk>/teams/<int:team_pk>/dissolve/", views.team_dissolve, name="team-dissolve"),
    path("campaigns/<int:pk>/unit-pairings/", views.unit_pairing_list, name="unit-pairing-list"),
    path(
        "campaigns/<int:pk>/unit-pairings/<int:unit_pairing_pk>/end/",
        views.unit_pairing_end,
        name="unit-pairing-end",
    ),
    path(
        "campaigns/<int:pk>/unit-pairings/<int:unit_pairing_pk>/withdraw/",
        views.unit_pairing_withdraw,
        name="unit-pairing-withdraw",
    ),
    path("points/", views.point_list, name="point-list"),
    path("points/new/", views.point_create, name="point-create"),
    path("points/<int:pk>/", views.point_detail, name="point-detail"),
    path("points/<int:pk>/regrade/", views.point_regrade, name="point-regrade"),
    path("points/<int:pk>/edit/", views.point_edit, name="point-edit"),
    path("points/<int:pk>/retire/", views.point_retire, name="point-retire"),
    path("cadres/<int:cadre_pk>/pairings/", views.cadre_pairings, name="cadre-pairings"),
    path("cadres/<int:cadre_pk>/handover/", views.cadre_handover, name="cadre-handover"),
]
