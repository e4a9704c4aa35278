"""Images uploaded by people (field photos, photos sent with a demand): JPEG or PNG only, at
most 10 MB and 40 megapixels, re-encoded so that no EXIF (and so no GPS position or camera
serial) survives."""

import io
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
