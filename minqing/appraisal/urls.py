from django.urls import path

from . import public, views

app_name = "appraisal"
urlpatterns = [
    path("appraisal/", views.round_list, name="round-list"),
    path("appraisal/draw/", views.round_draw, name="round-draw"),
    path("appraisal/<int:pk>/", views.round_detail, name="round-detail"),
    path("appraisal/<int:pk>/samples/", views.round_samples, name="round-samples"),
    path("appraisal/<int:pk>/release/", views.round_release, name="round-release"),
    path("appraisal/<int:pk>/publication/", views.publication, name="publication"),
    path("appraisal/<int:pk>/publication.pdf", views.publication_pdf, name="publication-pdf"),
    path("appraisal/samples/<int:pk>/", views.sample_callback, name="sample-callback"),
    path("appraisal/samples/<int:pk>/link/", views.sample_link, name="sample-link"),
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/new/", views.inspection_create, name="inspection-create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<int:pk>/actions/", views.action_add, name="action-add"),
    path("inspections/actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("exemplary/", views.case_list, name="case-list"),
    path("exemplary/new/", views.case_create, name="case-create"),
    path("exemplary/<int:pk>/", views.case_detail, name="case-detail"),
    path("exemplary/<int:pk>/decide/", views.case_decide, name="case-decide"),
    path("a/<str:token>/", public.public_answer, name="public-answer"),
    path("public/appraisal/<int:pk>/", public.public_publication, name="public-publication"),
]
