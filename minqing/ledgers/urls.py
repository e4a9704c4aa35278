from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("campaigns/<int:pk>/ledgers/", views.ledger_list, name="ledger-list"),
    path("campaigns/<int:pk>/ledgers/<slug:key>.xlsx", views.ledger_export, name="ledger-export"),
]
