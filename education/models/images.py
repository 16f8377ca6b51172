"""Images for articles: uploaded in the admin, checked and resized with Pillow (education/images.py), stored under a
hashed name in the media storage, shown in a body with `![what the picture shows](image:name)`."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models

from education.rendering import ImageRef

IMAGE_FOLDER = "articles"


def image_url_prefix() -> str:
    """The address every article image starts with: the media storage's URL for the images' folder."""
    return default_storage.url(f"{IMAGE_FOLDER}/")


def image_refs(names: set[str]) -> dict[str, ImageRef]:
    """The uploaded images among `names`, ready for rendering (one query; none when the body shows no image)."""
    if not names:
        return {}
    rows = ArticleImage.objects.filter(name__in=names).only("name", "image", "width", "height")
    return {row.name: ImageRef(url=row.image.url, width=row.width, height=row.height) for row in rows}


class ArticleImage(models.Model):
    name = models.SlugField(
        max_length=60,
        unique=True,
        help_text="A short name for the image, e.g. “bridge-exercise”: an article shows it with "
        "![what the picture shows](image:bridge-exercise).",
    )
    image = models.ImageField(
        upload_to=f"{IMAGE_FOLDER}/",
        width_field="width",
        height_field="height",
        help_text="A JPEG, PNG or WebP photo or drawing, at most 10 MB. A wider image is made narrower (1200 pixels "
        "unless the clinic set ARTICLE_IMAGE_MAX_WIDTH); the file is stored under a name made from its content, so "
        "browsers may keep it for a year.",
    )
    width = models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, after resizing.")
    height = models.PositiveIntegerField(default=0, editable=False, help_text="Pixels, after resizing.")
    alt_text = models.CharField(
        "description (alt text)",
        max_length=250,
        help_text="What the picture shows, in a sentence, for people who cannot see it (screen readers read it "
        "aloud). Required. It is offered as the words to type in the article; each article may word it for its "
        "own text.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Who uploaded it.",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, help_text="When it was uploaded.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def markdown(self) -> str:
        """What to type in an article to show this image."""
        return f"![{self.alt_text}](image:{self.name})"
