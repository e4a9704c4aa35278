"""Photos from the field: JPEG or PNG only, at most 10 MB and 40 megapixels, re-encoded so
that no EXIF (and so no GPS position or camera serial) survives, stored outside the web root."""

import io
import uuid as uuidlib
import warnings
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from minqing.core.audit import audit_record

from .models import Photo

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


def clean_image(data: bytes) -> tuple[bytes, str, str, int, int]:
    """(re-encoded bytes, content type, extension, width, height), or ValidationError."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 10 MB."))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ValidationError(_("Only JPEG and PNG photos are accepted."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(_("The photo has too many pixels.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(_("This file is not a readable JPEG or PNG photo.")) from None
    content_type, extension = FORMATS[image.format]
    image = ImageOps.exif_transpose(image)  # keep the picture upright once the orientation tag is gone
    # Copy the pixels into a fresh image: nothing of the original's metadata comes along.
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if content_type == "image/png" and has_alpha else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.save(out, format="JPEG", quality=85, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue(), content_type, extension, clean.width, clean.height


@transaction.atomic
def photo_attach(*, actor, data: bytes, visit=None, deed=None) -> Photo:
    owner = visit or deed
    if owner is None:
        raise ValidationError(_("A photo belongs to a visit or a deed."))
    if owner.photos.count() >= 9:
        raise ValidationError(_("At most 9 photos per record."))
    content, content_type, extension, width, height = clean_image(data)
    key = uuidlib.uuid4()
    now = timezone.now()
    relative = Path("photos") / f"{now:%Y}" / f"{now:%m}" / f"{key}.{extension}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    photo = Photo.objects.create(
        uuid=key,
        visit=visit,
        deed=deed,
        path=str(relative),
        content_type=content_type,
        width=width,
        height=height,
        size=len(content),
        uploaded_by=actor,
        region_id=owner.region_id,
    )
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


def photo_path(photo: Photo) -> Path:
    path = (Path(settings.MEDIA_ROOT) / photo.path).resolve()
    if not str(path).startswith(str(Path(settings.MEDIA_ROOT).resolve())):
        raise ValidationError("bad path")
    return path
