from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .context import set_user


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    set_user(user)
    audit_record(
        action="auth.login",
        user=user,
        object_type="org.account",
        object_id=str(user.pk),
        object_repr=user.username,
    )


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            action="auth.logout",
            user=user,
            object_type="org.account",
            object_id=str(user.pk),
            object_repr=user.username,
        )


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action="auth.login_failed",
        result="failed",
        object_type="org.account",
        object_repr=username,
        detail={"username": username},
    )
