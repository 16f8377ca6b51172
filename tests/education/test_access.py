"""A content editor works on articles only: no intake, no queue, no clinical data, anywhere."""

from __future__ import annotations

import pytest
from django.apps import apps

pytestmark = pytest.mark.django_db


def test_a_content_editor_cannot_open_the_staff_queue(client, editor):
    client.force_login(editor)
    assert client.get("/staff/queue/").status_code == 403


def test_a_content_editor_is_not_shown_a_link_to_the_queue(client, editor):
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert "/staff/queue/" not in html
    assert "/admin/" in html


def test_a_content_editor_holds_no_intake_permission(editor):
    intake_perms = [perm for perm in editor.get_all_permissions() if not perm.startswith("education.")]
    assert intake_perms == []


def test_the_admin_shows_a_content_editor_articles_and_topics_only(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "/admin/education/article/" in html
    assert "/admin/education/topic/" in html
    assert "/admin/intake/" not in html
    assert "/admin/audit/" not in html
    assert "/admin/auth/" not in html


@pytest.mark.parametrize("model", [m._meta.model_name for m in apps.get_app_config("intake").get_models()])
def test_a_content_editor_cannot_reach_any_intake_model_in_the_admin(client, editor, model):
    client.force_login(editor)
    response = client.get(f"/admin/intake/{model}/")
    # 404 while intake models are not in the admin; 403 once they are, without a permission for editors.
    assert response.status_code in (403, 404)
    assert response.status_code != 200
