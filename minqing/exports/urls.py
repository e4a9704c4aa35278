from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("households.xlsx", views.household_export, name="household-export"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request-approve"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request-refuse"),
    path("requests/<int:pk>/download/", views.request_download, name="request-download"),
]
