"""Photos from the field: JPEG or PNG only, at most 10 MB and 40 megapixels, re-encoded so
that no EXIF (and so no GPS position or camera serial) survives, stored outside the web root."""

import hashlib
import uuid as uuidlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core.audit import audit_record
from minqing.core.images import FORMATS, MAX_BYTES, MAX_PIXELS, clean_image  # noqa: F401

from .models import Photo


@transaction.atomic
def photo_attach(*, actor, data: bytes, visit=None, deed=None, uuid=None) -> Photo:
    """Attach a photo; `uuid` is the one a phone gave it (see photo_sync), else a new one."""
    owner = visit or deed
    if owner is None:
        raise ValidationError(_("A photo belongs to a visit or a deed."))
    if owner.photos.count() >= 9:
        raise ValidationError(_("At most 9 photos per record."))
    content, content_type, extension, width, height = clean_image(data)
    key = uuid or uuidlib.uuid4()
    now = timezone.now()
    relative = Path("photos") / f"{now:%Y}" / f"{now:%m}" / f"{key}.{extension}"
    # The row first: a second upload under the same UUID fails here, before any file is written.
    photo = Photo.objects.create(
        uuid=key,
        visit=visit,
        deed=deed,
        path=str(relative),
        content_type=content_type,
        width=width,
        height=height,
        size=len(content),
        source_digest=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        region_id=owner.region_id,
    )
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    audit_record(
        action="photo.attach",
        obj=photo,
        user=actor,
        detail={
            "visit": visit.pk if visit else None,
            "deed": deed.pk if deed else None,
            "bytes": len(content),
        },
    )
    return photo


def photo_sync(*, actor, visit, uuid, data: bytes) -> tuple[int, Photo | None]:
    """A photo sent from a phone under the UUID the phone gave it, after its visit arrived.
    The same photo again (a retry whose answer was lost, or two uploads racing) answers 200
    with the stored one; other bytes under a stored UUID, or a UUID of another record, 409."""
    digest = hashlib.sha256(data).hexdigest()

    def answer(existing: Photo) -> tuple[int, Photo]:
        same = existing.visit_id == visit.pk and existing.source_digest == digest
        return (200 if same else 409), existing

    existing = Photo.objects.filter(uuid=uuid).first()
    if existing is not None:
        return answer(existing)
    try:
        with transaction.atomic():
            return 201, photo_attach(actor=actor, data=data, visit=visit, uuid=uuid)
    except IntegrityError:
        existing = Photo.objects.filter(uuid=uuid).first()
        if existing is None:
            raise
        return answer(existing)


def photo_path(photo: Photo) -> Path:
    path = (Path(settings.MEDIA_ROOT) / photo.path).resolve()
    if not str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve())):
        raise ValidationError("bad path")
    return path
