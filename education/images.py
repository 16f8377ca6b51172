"""Checking and preparing an uploaded article image with Pillow, and serving stored ones.

An upload is opened and fully decoded (a file that only claims to be an image fails), must be JPEG, PNG or WebP and
at most MAX_UPLOAD_BYTES and MAX_PIXELS, is turned upright from its EXIF orientation, resized to at most
settings.ARTICLE_IMAGE_MAX_WIDTH pixels wide, and saved again without its metadata (a phone photo's EXIF can carry
where and when it was taken). The stored name is a hash of the result (`articles/<hash>.webp`), so a stored file
never changes under its name and may be cached for a year.

Serving: `article_image` answers /media/articles/<name> from the media storage with a year's cache headers. It is
enough for development and a small clinic; a production server may serve MEDIA_ROOT itself (README.md, "Deploying").
"""

from __future__ import annotations

import hashlib
import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe
from PIL import Image, ImageOps, UnidentifiedImageError

from education.models.images import IMAGE_FOLDER

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
STORED_NAME = re.compile(r"^[a-f0-9]{32}\.webp$")
ONE_YEAR = 365 * 24 * 3600

NOT_AN_IMAGE = "This file is not a picture the portal can use. Upload a JPEG, PNG or WebP image."
TOO_BIG = (
    "This file is larger than 10 MB. Make it smaller (for example, export it at 2000 pixels wide) and upload it again."
)
TOO_MANY_PIXELS = "This picture has too many pixels to process. Make it smaller and upload it again."


def max_width() -> int:
    return int(getattr(settings, "ARTICLE_IMAGE_MAX_WIDTH", 1200))


def prepare_upload(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """The upload as a checked, resized WebP file named by its hash; ValidationError with a clear message if not."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="pixels")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            picture = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="invalid") from error
    picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
    if picture.width > max_width():
        height = max(1, round(picture.height * max_width() / picture.width))
        picture = picture.resize((max_width(), height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=85, method=4)
    content = out.getvalue()
    return ContentFile(content, name=f"{hashlib.sha256(content).hexdigest()[:32]}.webp")


@require_safe
def article_image(request: HttpRequest, name: str) -> FileResponse:
    """A stored article image, with a year's cache: its name is its content's hash, so it never changes."""
    path = f"{IMAGE_FOLDER}/{name}"
    if not STORED_NAME.match(name) or not default_storage.exists(path):
        raise Http404("No such image.")
    response = FileResponse(default_storage.open(path, "rb"), content_type="image/webp")
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
