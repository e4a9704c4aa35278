from django.urls import path

from . import views

app_name = "fieldwork"
urlpatterns = [
    path("m/", views.field_app, name="app"),
    path("m/sw.js", views.service_worker, name="service-worker"),
    path("fieldwork/visits/", views.visit_list, name="visit-list"),
    path("fieldwork/visits/<uuid:uuid>/", views.visit_detail, name="visit-detail"),
    path("fieldwork/visits/<uuid:uuid>/edit/", views.visit_edit, name="visit-edit"),
    path("fieldwork/visits/<uuid:uuid>/withdraw/", views.visit_withdraw, name="visit-withdraw"),
    path("fieldwork/photos/<uuid:uuid>/", views.photo, name="photo"),
    path("fieldwork/deeds/", views.deed_list, name="deed-list"),
    path("fieldwork/activities/", views.activity_list, name="activity-list"),
    path("fieldwork/activities.xlsx", views.activity_export, name="activity-export"),
    path("fieldwork/activities/<uuid:uuid>/", views.activity_detail, name="activity-detail"),
    path("fieldwork/activities/<uuid:uuid>/edit/", views.activity_edit, name="activity-edit"),
    path("fieldwork/activities/<uuid:uuid>/withdraw/", views.activity_withdraw, name="activity-withdraw"),
    path("fieldwork/attendance/", views.attendance_pending, name="attendance-pending"),
    path("fieldwork/attendance/<int:pk>/decide/", views.attendance_decide, name="attendance-decide"),
    path(
        "fieldwork/points/<int:pk>/attendance/<str:month>/", views.attendance_sheet, name="attendance-sheet"
    ),
    path(
        "fieldwork/points/<int:pk>/attendance/<str:month>.xlsx",
        views.attendance_sheet_xlsx,
        name="attendance-sheet-xlsx",
    ),
    path(
        "fieldwork/points/<int:pk>/attendance/<str:month>.pdf",
        views.attendance_sheet_pdf_view,
        name="attendance-sheet-pdf",
    ),
    path("fieldwork/worklogs/", views.worklog_list, name="worklog-list"),
    path("fieldwork/worklogs/<int:pk>/edit/", views.worklog_edit, name="worklog-edit"),
    path("fieldwork/reports/", views.report_list, name="report-list"),
    path("fieldwork/reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("fieldwork/", views.index, name="index"),
    path("fieldwork/plans/", views.plan_list, name="plan-list"),
    path("fieldwork/plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("fieldwork/incidents/", views.incident_list, name="incident-list"),
    path("fieldwork/relief/", views.relief_list, name="relief-list"),
    path("fieldwork/teams/", views.team_summary_list, name="team-summary-list"),
    path("fieldwork/teams/<int:pk>/summary/", views.team_summary, name="team-summary"),
    path("fieldwork/research/cadres/<int:pk>/", views.research_cadre, name="research-cadre"),
    path("fieldwork/research/cadres/<int:pk>.docx", views.research_cadre_docx, name="research-cadre-docx"),
    path("fieldwork/research/teams/<int:pk>/", views.research_team, name="research-team"),
    path("fieldwork/research/teams/<int:pk>.docx", views.research_team_docx, name="research-team-docx"),
]
