from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("password/", views.password_change, name="password-change"),
    path("two-factor/", views.otp_verify, name="otp-verify"),
    path("two-factor/enrol/", views.otp_enrol, name="otp-enrol"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/tokens/<int:token_pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("accounts/<int:pk>/reset-password/", views.account_reset, name="account-reset"),
    path("accounts/<int:pk>/reset-two-factor/", views.account_otp_reset, name="account-otp-reset"),
    path("accounts/<int:pk>/disable/", views.account_disable, name="account-disable"),
    path("accounts/<int:pk>/enable/", views.account_enable, name="account-enable"),
    path("roles/", views.grant_list, name="grant-list"),
    path("roles/<int:pk>/", views.grant_edit, name="grant-edit"),
    path("roles/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("audit/", views.audit_list, name="audit-list"),
]
