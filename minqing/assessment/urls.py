from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_assessment, name="campaign-assessment"),
    path("campaigns/<int:pk>/run/", views.assessment_run, name="assessment-run"),
    path("campaigns/<int:pk>/weights/", views.weights_edit, name="weights-edit"),
    path("campaigns/<int:pk>/recall-rule/", views.recall_rule_edit, name="recall-rule-edit"),
    path("campaigns/<int:pk>/recalls/propose/", views.recall_propose, name="recall-propose"),
    path("cadres/<int:cadre_pk>/", views.cadre_assessment, name="cadre-assessment"),
    path("results/<int:pk>/", views.result_detail, name="result-detail"),
    path("results/<int:pk>.pdf", views.result_pdf, name="result-pdf"),
    path("recalls/", views.recall_list, name="recall-list"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall-detail"),
    path("recalls/<int:pk>/act/", views.recall_act, name="recall-act"),
    path("recalls/<int:pk>/notice.<str:fmt>", views.recall_notice, name="recall-notice"),
    path("leader-records/", views.leader_record_list, name="leader-record-list"),
    path("leader-records/draft/", views.leader_record_draft, name="leader-record-draft"),
    path("leader-records/week/", views.leader_record_write, name="leader-record-write"),
    path("leader-records/<int:pk>/", views.leader_record_detail, name="leader-record-detail"),
    path("leader-records/<int:pk>.<str:fmt>", views.leader_record_document, name="leader-record-document"),
]
