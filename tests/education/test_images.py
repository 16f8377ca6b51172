"""Article images: uploaded in the admin with a required description, checked, resized and stored under a hashed
name, shown with `![description](image:name)` and served with a year's cache headers."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from education import workflow
from education.models import ArticleDraft, ArticleImage
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD_IMAGE = "/admin/education/articleimage/add/"


def picture(width: int = 2400, height: int = 1200, kind: str = "PNG") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(data, format=kind)
    return SimpleUploadedFile(f"bridge.{kind.lower()}", data.getvalue(), content_type=f"image/{kind.lower()}")


@pytest.fixture
def editor_client(client, editor, media_root):
    client.force_login(editor)
    return client


def upload(client, **fields):
    return client.post(ADD_IMAGE, {"name": "bridge-exercise", "image": picture(), "alt_text": "", **fields})


def test_an_image_without_a_description_cannot_be_saved(editor_client):
    response = upload(editor_client)
    assert response.status_code == 200
    assert "Describe what the picture shows" in response.content.decode()
    assert not ArticleImage.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused_with_a_clear_message(editor_client):
    fake = SimpleUploadedFile("bridge.png", b"<script>alert(1)</script>", content_type="image/png")
    response = upload(editor_client, image=fake, alt_text="A bridge.")
    assert response.status_code == 200
    assert not ArticleImage.objects.exists()
    assert "Upload a" in response.content.decode()


def test_an_upload_is_resized_to_the_maximum_width_and_stored_under_its_hash(editor_client, media_root, editor):
    assert upload(editor_client, alt_text="A runner lifts their hips.").status_code == 302
    image = ArticleImage.objects.get()
    assert (image.width, image.height) == (1200, 600)
    assert re.fullmatch(r"articles/[a-f0-9]{32}\.webp", str(image.image.name))
    assert (media_root / image.image.name).exists()
    assert image.uploaded_by == editor
    with Image.open(media_root / image.image.name) as stored:
        assert stored.size == (1200, 600)
    # The same picture again reuses the stored file.
    upload(editor_client, name="bridge-again", alt_text="Again.")
    assert ArticleImage.objects.get(name="bridge-again").image.name == image.image.name


def test_an_image_is_served_with_a_years_cache_and_unknown_names_are_404(editor_client):
    upload(editor_client, alt_text="A bridge.")
    image = ArticleImage.objects.get()
    response = Client().get(image.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Client().get("/media/articles/../../settings.py").status_code == 404
    assert Client().get("/media/articles/" + "0" * 32 + ".webp").status_code == 404


def test_an_article_with_an_image_without_alt_text_cannot_be_saved_and_with_it_shows_it(editor_client, reviewer):
    upload(editor_client, alt_text="A runner lifts their hips.")
    image = ArticleImage.objects.get()
    article = ArticleFactory.create(body="Lie on your back.")
    change = f"/admin/education/article/{article.pk}/change/"
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "author": article.author,
        "sources": article.sources,
        "next_review_due": str(article.next_review_due),
        "go_live_at_0": "",
        "go_live_at_1": "",
    }
    response = editor_client.post(change, {**data, "body": "Lie on your back.\n\n![](image:bridge-exercise)"})
    assert response.status_code == 200
    assert "needs a description for people who cannot see it" in response.content.decode()
    assert not ArticleDraft.objects.exists()

    response = editor_client.post(change, {**data, "body": "![A runner](https://example.org/x.png)"})
    assert "is not one uploaded to the portal" in response.content.decode()

    body = "Lie on your back.\n\n![Lift your hips until your body is straight.](image:bridge-exercise)"
    assert editor_client.post(change, {**data, "body": body, "_submit_review": "1"}).status_code == 302
    workflow.approve(article, reviewer=reviewer)
    html = Client().get(article.get_absolute_url()).content.decode()
    found = re.search(r"<img [^>]+>", html.split('class="article-body"')[1])
    assert found is not None
    tag = found.group(0)
    assert 'alt="Lift your hips until your body is straight."' in tag
    assert f'src="{image.image.url}"' in tag
    assert 'width="1200"' in tag
    assert 'height="600"' in tag
    assert 'loading="lazy"' in tag


def test_an_uploaded_picture_is_not_replaced_or_renamed_under_an_approved_article(editor_client):
    """Replacing it changed nothing on the live page (its address is in the approved body) while the admin said it
    was saved; a picture patients see changes only through an article change a reviewer approves."""
    upload(editor_client, alt_text="A bridge.")
    image = ArticleImage.objects.get()
    stored = image.image.name
    change = f"/admin/education/articleimage/{image.pk}/change/"
    page = editor_client.get(change).content.decode()
    assert "Upload it as a new image and change the article to use its name." in page
    assert 'type="file"' not in page
    editor_client.post(change, {"name": "renamed", "image": picture(300, 100), "alt_text": "A bridge, again."})
    image.refresh_from_db()
    assert (image.name, image.image.name, image.alt_text) == ("bridge-exercise", stored, "A bridge, again.")


def test_the_image_list_and_page_write_the_upload_time_as_the_staff_pages_do(editor_client, time_machine, editor):
    time_machine.move_to(datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC), tick=False)
    editor_client.force_login(editor)  # a session from before the jump would have expired
    assert upload(editor_client, alt_text="A runner lifts their hips.").status_code == 302
    image = ArticleImage.objects.get()
    listed = editor_client.get("/admin/education/articleimage/").content.decode()
    page = editor_client.get(f"/admin/education/articleimage/{image.pk}/change/").content.decode()
    for html in (listed, page):
        assert "Mar 20, 2030, 9:00 AM EDT" in html  # not Django's "March 20, 2030, 9 a.m."
        assert not re.search(r"\d [ap]\.m\.", html)
