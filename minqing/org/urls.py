from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("cadres/", views.cadre_list, name="cadre-list"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre-detail"),
]
