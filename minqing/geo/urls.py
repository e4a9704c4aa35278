from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("regions/", views.region_list, name="region-list"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
]
