"""Photos: EXIF and GPS are gone after upload; non-images, oversized files and pixel floods
are refused; the file is served only to those who may see the visit, as an attachment."""

import io
import json
import uuid

import pytest
from django.test import Client
from django.utils import translation
from PIL import Image

from minqing.fieldwork.models import Photo
from minqing.fieldwork.photos import clean_image
from minqing.org.models import Account
from minqing.org.services import token_create
from minqing.programs.models import Campaign, Pairing


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera app"  # Software
    exif[0x8825] = {1: "N", 2: (28.0, 15.0, 30.0), 3: "E", 4: (111.0, 40.0, 12.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_exif_and_gps_are_removed():
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the original carries a position
    clean, content_type, _ext, width, height = clean_image(raw)
    image = Image.open(io.BytesIO(clean))
    assert content_type == "image/jpeg" and (width, height) == (640, 480)
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneMaker" not in clean and b"GPS" not in clean


def test_a_non_image_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clean_image(b"%PDF-1.4 not a photo")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(ValidationError):
        clean_image(gif.getvalue())


def test_an_oversized_file_is_refused():
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError, match="10 MB"):
        clean_image(b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1))


def test_a_pixel_flood_is_refused():
    from django.core.exceptions import ValidationError

    flood = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(flood, format="PNG")  # tiny file, 100 megapixels
    assert len(flood.getvalue()) < 1024 * 1024
    with translation.override("en"), pytest.raises(ValidationError, match="pixels"):
        clean_image(flood.getvalue())


def test_a_photo_is_served_to_its_scope_only_as_an_attachment(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = Account.objects.get(username="cadre")
    token = token_create(actor=None, account=account)
    campaign = Campaign.objects.get(program_key="xiajiceng")
    household = Pairing.objects.filter(
        cadre__account=account, campaign=campaign, household__isnull=False
    ).first()
    key = str(uuid.uuid4())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    Client().put(
        f"/api/v1/sync/visit/{key}",
        json.dumps(
            {
                "payload": {
                    "campaign": campaign.pk,
                    "date": "2026-06-01",
                    "form": "home_visit",
                    "target": {"type": "household", "id": household.household_id},
                }
            }
        ),
        content_type="application/json",
        **auth,
    )
    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "IMG_0001.jpg"
    response = Client().post(f"/api/v1/visits/{key}/photos", {"file": upload}, **auth)
    assert response.status_code == 201, response.content
    photo = Photo.objects.get(uuid=response.json()["uuid"])
    assert str(tmp_path) in str((tmp_path / photo.path).resolve())
    served = Client().get(f"/api/v1/photos/{photo.uuid}", **auth)
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"PhoneMaker" not in b"".join(served.streaming_content)
    other = token_create(actor=None, account=Account.objects.get(username="office_jinan"))
    assert (
        Client().get(f"/api/v1/photos/{photo.uuid}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    )


def _visit_for(account, campaign, auth) -> str:
    household = Pairing.objects.filter(
        cadre__account=account, campaign=campaign, household__isnull=False
    ).first()
    key = str(uuid.uuid4())
    response = Client().put(
        f"/api/v1/sync/visit/{key}",
        json.dumps(
            {
                "payload": {
                    "campaign": campaign.pk,
                    "date": "2026-06-01",
                    "form": "home_visit",
                    "target": {"type": "household", "id": household.household_id},
                }
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    return key


def _upload(key, photo_key, data, auth, name="IMG_0002.jpg"):
    upload = io.BytesIO(data)
    upload.name = name
    return Client().post(f"/api/v1/visits/{key}/photos", {"file": upload, "photo_uuid": photo_key}, **auth)


def test_a_photo_sent_again_under_its_uuid_is_stored_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = Account.objects.get(username="cadre")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=account)}"}
    key = _visit_for(account, Campaign.objects.get(program_key="xiajiceng"), auth)
    photo_key = str(uuid.uuid4())
    first = _upload(key, photo_key, jpeg_with_gps(), auth)
    assert first.status_code == 201, first.content
    assert first.json()["uuid"] == photo_key
    again = _upload(key, photo_key, jpeg_with_gps(), auth)  # the answer was lost: the phone retries
    assert again.status_code == 200 and again.json()["uuid"] == photo_key
    assert Photo.objects.filter(visit__uuid=key).count() == 1
    assert len(list(tmp_path.rglob("*.jpg"))) == 1
    png = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 0)).save(png, format="PNG")
    other = _upload(key, photo_key, png.getvalue(), auth, name="other.png")  # other bytes, same UUID
    assert other.status_code == 409
    assert Photo.objects.filter(visit__uuid=key).count() == 1
    second_visit = _visit_for(account, Campaign.objects.get(program_key="xiajiceng"), auth)
    assert _upload(second_visit, photo_key, jpeg_with_gps(), auth).status_code == 409  # another visit


def test_a_refused_photo_under_a_uuid_stores_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = Account.objects.get(username="cadre")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, account=account)}"}
    key = _visit_for(account, Campaign.objects.get(program_key="xiajiceng"), auth)
    with translation.override("en"):
        response = _upload(key, str(uuid.uuid4()), b"%PDF-1.4 not a photo", auth, name="x.jpg")
    assert response.status_code == 422 and "JPEG" in response.json()["detail"]
    assert not Photo.objects.filter(visit__uuid=key).exists() and not list(tmp_path.rglob("*.*"))
