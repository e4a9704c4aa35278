from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("households/", views.household_list, name="household-list"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/regrade/", views.household_regrade, name="household-regrade"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household-reveal"),
]
