from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("dashboard/", views.dashboard_index, name="dashboard-index"),
    path("campaigns/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/<int:pk>/dashboard/compliance/", views.dashboard_compliance, name="dashboard-compliance"),
    path("campaigns/<int:pk>/dashboard/tiles/<slug:key>/", views.dashboard_tile, name="dashboard-tile"),
    path("campaigns/<int:pk>/dashboard/figures/<slug:key>/", views.tile_list, name="tile-list"),
    path("campaigns/<int:pk>/documents/<slug:kind>.<slug:fmt>", views.document, name="document"),
]
