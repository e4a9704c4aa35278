from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("imports/", views.import_index, name="import-index"),
    path("imports/<slug:kind>/", views.import_start, name="import-start"),
    path("imports/<slug:kind>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<slug:kind>/template.xlsx", views.import_template, name="import-template"),
]
