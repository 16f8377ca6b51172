"""Data for the editorial workflow (issue 15):

1. The "Clinical reviewers" group with its permission `education.approve_article` (accounts/roles.py is the table;
   the post_migrate hook keeps the group equal to it afterwards).
2. Text stored as the workflow stores it: LF line endings and no blank lines around body, summary and sources, in
   every article and in every stored version of one (django-reversion), so history and compare show only real
   changes from now on; each article's `english_sha256`, which translations are compared with.
3. The starter library's placeholder reviewer ("... (demo reviewer)") removed: those articles are "awaiting clinical
   review" until one of the clinic's reviewers approves them. A name an editor typed stays, as the record of a review
   made before sign-off existed.
4. The loader's bookkeeping (StarterImport.content_sha256) recomputed the new way for articles nobody has edited, so
   `load_articles` still tells them apart from edited ones.

The logic is copied here as it is today (a migration must not change when the code does).
"""

import hashlib
import json

from django.db import migrations

DEMO_REVIEWER_MARK = "(demo reviewer)"
TEXT_FIELDS = ("body", "summary", "sources")


def canonical(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def english_sha256(title, summary, body):
    return hashlib.sha256(json.dumps([canonical(title), canonical(summary), canonical(body)]).encode()).hexdigest()


def old_fingerprint(article):
    """education.services.content_fingerprint before this migration."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "sources": article.sources,
        "featured": article.featured,
        "author": article.author,
        "reviewed_by": article.reviewed_by,
        "reviewed_on": str(article.reviewed_on),
        "next_review_due": str(article.next_review_due),
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "topics": sorted(article.topics.values_list("slug", flat=True)),
        "related": sorted(article.related.values_list("slug", flat=True)),
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def new_fingerprint(article):
    """education.services.content_fingerprint from this migration on (see tests/education/test_migrations.py)."""
    payload = {
        "title": article.title.strip(),
        "slug": article.slug,
        "summary": canonical(article.summary),
        "body": canonical(article.body),
        "topics": sorted(article.topics.values_list("slug", flat=True)),
        "related": sorted(article.related.values_list("slug", flat=True)),
        "featured": bool(article.featured),
        "author": article.author.strip(),
        "sources": canonical(article.sources),
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def create_reviewers_group(apps, schema_editor):
    from accounts.roles import sync_role_permissions

    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    article_type, _ = content_type_model.objects.get_or_create(app_label="education", model="article")
    permission_model.objects.get_or_create(
        content_type=article_type,
        codename="approve_article",
        defaults={"name": "Can approve articles and changes to them (clinical sign-off)"},
    )
    sync_role_permissions(apps.get_model("auth", "Group"), permission_model)


def remove_reviewers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Clinical reviewers").delete()


def clean_articles(apps, schema_editor):
    article_model = apps.get_model("education", "Article")
    starter_model = apps.get_model("education", "StarterImport")
    records = {record.slug: record for record in starter_model.objects.all()}
    for article in article_model.objects.all():
        record = records.get(article.slug)
        untouched = record is not None and old_fingerprint(article) == record.content_sha256
        for name in TEXT_FIELDS:
            setattr(article, name, canonical(getattr(article, name)))
        article.english_sha256 = english_sha256(article.title, article.summary, article.body)
        if DEMO_REVIEWER_MARK in article.reviewed_by:
            article.reviewed_by = ""
            article.reviewed_on = None
        # update(), not save(): no new version, and the stored HTML is the same for either line ending.
        article_model.objects.filter(pk=article.pk).update(
            body=article.body,
            summary=article.summary,
            sources=article.sources,
            english_sha256=article.english_sha256,
            reviewed_by=article.reviewed_by,
            reviewed_on=article.reviewed_on,
        )
        if untouched:
            starter_model.objects.filter(pk=record.pk).update(content_sha256=new_fingerprint(article))


def clean_versions(apps, schema_editor):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    version_model = apps.get_model("reversion", "Version")
    article_type = content_type_model.objects.filter(app_label="education", model="article").first()
    if article_type is None:
        return
    for version in version_model.objects.filter(content_type=article_type, format="json").iterator():
        try:
            data = json.loads(version.serialized_data)
            fields = data[0]["fields"]
        except (ValueError, LookupError, TypeError):
            continue
        changed = False
        for name in TEXT_FIELDS:
            value = fields.get(name)
            if isinstance(value, str) and canonical(value) != value:
                fields[name] = canonical(value)
                changed = True
        if changed:
            version_model.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0005_editorial_workflow"),
        ("accounts", "0001_staff_groups"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_reviewers_group, remove_reviewers_group),
        migrations.RunPython(clean_articles, migrations.RunPython.noop),
        migrations.RunPython(clean_versions, migrations.RunPython.noop),
    ]
