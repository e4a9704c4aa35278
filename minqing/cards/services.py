from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.identity import normalize_phone, validate_phone
from minqing.core.personal import Phone
from minqing.core.scope import scope_for, scoped
from minqing.org.models import Cadre

from .models import LiaisonCard


def may_edit_card(actor, cadre: Cadre) -> bool:
    """The cadre themself, or a campaign office that manages programs over the cadre's unit or region."""
    if actor is None:
        return False
    if cadre.account_id == actor.pk:
        return True
    return (
        scope_for(actor).has("programs.manage")
        and scoped(Cadre.objects.filter(pk=cadre.pk), actor, "org.view").exists()
    )


@transaction.atomic
def card_update(*, actor, cadre: Cadre, published_phone: str, commitment: str, duty_days: str) -> LiaisonCard:
    """Set what the cadre's liaison card and the disclosure board show. A published phone is
    printed in full on purpose; leave it empty to show the masked work phone."""
    if not may_edit_card(actor, cadre):
        raise PermissionDenied
    phone = normalize_phone(published_phone.strip())
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"published_phone": exc.messages}) from None
    commitment, duty_days = commitment.strip(), duty_days.strip()
    if len(commitment) > 120:
        raise ValidationError({"commitment": [_("At most 120 characters fit on the card.")]})
    if len(duty_days) > 60:
        raise ValidationError({"duty_days": [_("At most 60 characters fit on the card.")]})
    card, _created = LiaisonCard.objects.select_for_update().get_or_create(cadre=cadre)
    before = {
        "published": bool(card.published_phone),
        "commitment": card.commitment,
        "duty_days": card.duty_days,
    }
    card.published_phone = Phone(phone) if phone else None
    card.commitment = commitment
    card.duty_days = duty_days
    card.updated_by = actor
    card.updated_at = timezone.now()
    card.save()
    audit_record(
        action="card.update",
        obj=card,
        user=actor,
        detail={
            "from": before,
            "to": {"published": bool(phone), "commitment": commitment, "duty_days": duty_days},
            # The published number itself is public by choice, but the trail keeps it masked.
            "phone": Phone(phone).mask() if phone else "",
        },
    )
    return card
