"""Every URL of the project, and what each kind of visitor must get from it. One row per URL name.

A new URL pattern that is not in ROWS fails tests/security/test_access_matrix.py: add a row saying who may open it.
The same rows drive the CSRF, no-store and header tests.

Answers, in persona order (anonymous, patient A, patient B, content editor, front desk, clinician, administrator):
    200, 403, 404, 405 - that status
    S                  - 302 to the staff sign-in (or the admin's login, which sends there)
    R                  - 302 somewhere else (e.g. to the next step)

`post`: "changes" when a POST with a valid token would change data (so a POST without one must be refused);
"from-this-site" when a POST needs no token but must come from this site (the language switcher only:
test_language_switch.py); None when the URL takes no POST worth checking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from intake.rules.triage import RULES_VERSION

S = "sign-in"
R = "redirect"

PERSONAS = ("anonymous", "patient_a", "patient_b", "editor", "front_desk", "clinician", "administrator")

Answer = int | str
PathBuilder = str | Callable[[Any], str]


@dataclass(frozen=True)
class Row:
    key: str
    path: PathBuilder
    expect: tuple[Answer, Answer, Answer, Answer, Answer, Answer, Answer]
    post: str | None = None
    # Who to POST as in the CSRF test (default: the most senior persona that gets 200, else anonymous).
    post_as: str | None = None
    # For a URL that answers only POST: what each persona gets from an empty POST (a token-less test client), in
    # persona order, so the table says who may use it and not only that GET is refused.
    post_expect: tuple[Answer, Answer, Answer, Answer, Answer, Answer, Answer] | None = None
    notes: str = field(default="", compare=False)

    def url(self, world: Any) -> str:
        return self.path(world) if callable(self.path) else self.path

    def answer_for(self, persona: str) -> Answer:
        return self.expect[PERSONAS.index(persona)]

    def post_answer_for(self, persona: str) -> Answer | None:
        return self.post_expect[PERSONAS.index(persona)] if self.post_expect else None


def walk(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(key, route) for every URL pattern, recursively. Named patterns are keyed by their namespaced name, unnamed
    ones by their full route."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


# --- Shorthands for rows that repeat ------------------------------------------------------------------------------

PUBLIC = (200, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = (S, S, S, 403, 403, 403, 200)  # staff pages of the admin that only administrators may use
EDITOR_AND_ADMIN = (S, S, S, 200, 403, 403, 200)
# A person's authenticator secret is shown once, at set-up; the admin's pages for it answer nobody
# (OTP_ADMIN_HIDE_SENSITIVE_DATA).
NOBODY_NOT_EVEN_ADMIN = (S, S, S, 403, 403, 403, 403)


def admin_model(
    app_label: str,
    model_name: str,
    obj: Callable[[Any], Any],
    *,
    editor: Answer = 403,
    admin_add: Answer = 200,
    admin_change: Answer = 200,
    admin_delete: Answer = 200,
    editor_change: Answer | None = None,
    editor_delete: Answer | None = None,
) -> list[Row]:
    """The six admin URLs of one registered model, as rows.

    `editor` is what a content editor (staff, article permissions only) gets from the list; the admin answers 403 to
    staff without the model's permissions and to non-staff people (accounts.admin_site).
    """
    base = f"/admin/{app_label}/{model_name}/"
    name = f"{app_label}_{model_name}"
    editor_change = editor if editor_change is None else editor_change
    editor_delete = editor_change if editor_delete is None else editor_delete

    def on(suffix: str) -> Callable[[Any], str]:
        return lambda world: f"{base}{obj(world).pk}/{suffix}"

    return [
        Row(f"admin:{name}_changelist", base, (S, S, S, editor, 403, 403, 200), post="changes"),
        Row(f"admin:{name}_add", f"{base}add/", (S, S, S, editor, 403, 403, admin_add), post="changes"),
        Row(f"admin:{name}_history", on("history/"), (S, S, S, editor_change, 403, 403, 200)),
        Row(f"admin:{name}_delete", on("delete/"), (S, S, S, editor_delete, 403, 403, admin_delete), post="changes"),
        Row(f"admin:{name}_change", on("change/"), (S, S, S, editor_change, 403, 403, admin_change), post="changes"),
        # The admin's short object address only redirects to the change page, which makes its own check.
        Row(f"admin/{base[len('/admin/') :]}<path:object_id>/", on(""), (S, S, S, R, 403, 403, R)),
    ]


ROWS: list[Row] = [
    # --- Public pages -------------------------------------------------------------------------------------------
    Row("home", "/", PUBLIC),
    Row("article-list", "/articles/", PUBLIC),
    Row("search", "/search/?q=back", PUBLIC),
    Row("article-detail", lambda w: f"/articles/{w.article.slug}/", PUBLIC),
    Row("topic-detail", lambda w: f"/topics/{w.topic.slug}/", PUBLIC),
    Row("sitemap", "/sitemap.xml", PUBLIC),
    Row("sitemap-section", "/sitemap-articles.xml", PUBLIC),
    Row("robots-txt", "/robots.txt", PUBLIC),
    # The language switcher (Django's set_language): a POST sets the language cookie and returns to the page (from a
    # refused question page that gave emergency advice: that page again, intake.advice_switch); a GET changes nothing
    # and only redirects. No token: a POST from another site is refused by where it comes from.
    Row("set_language", "/i18n/setlang/", (R, R, R, R, R, R, R), post="from-this-site", post_as="anonymous"),
    # --- Patient intake: the session holds which intake a browser may see; no other visitor sees any --------------
    Row("intake:confirm", "/intake/confirm/", (404, R, R, 404, 404, 404, 404), post="changes", post_as="patient_a"),
    # The one-time code step (answers already given, a browser not trusted for them): only a browser waiting for a code.
    Row("intake:code", "/intake/code/", (404, R, R, 404, 404, 404, 404), post="changes", post_as="patient_a"),
    Row("intake:resume", "/intake/", (404, R, R, 404, 404, 404, 404)),
    Row(
        "intake:step", "/intake/step/consent/", (404, 200, 200, 404, 404, 404, 404), post="changes", post_as="patient_a"
    ),
    Row("intake:emergency", "/intake/important/", (404, R, R, 404, 404, 404, 404), post="changes", post_as="patient_a"),
    Row("intake:review", "/intake/review/", (404, R, R, 404, 404, 404, 404), post="changes", post_as="patient_a"),
    Row("intake:done", "/intake/done/", (404, R, R, 404, 404, 404, 404)),
    # The printable copy of the answers: only for the browser that sent them (the others' intakes are not sent).
    Row("intake:answers", "/intake/done/answers/", (404, R, R, 404, 404, 404, 404)),
    # "Exit" on every patient page: a POST ends the patient's session (a shared phone); the page (GET) says what is
    # saved and how to come back, the same for everyone.
    Row("intake:exit", "/intake/exit/", PUBLIC, post="changes", post_as="patient_a"),
    # "I'm still here" on the warning before the form closes for being idle: only a browser with the form open.
    Row(
        "intake:still-here",
        "/intake/still-here/",
        (405,) * 7,
        post="changes",
        post_as="patient_a",
        post_expect=(404, 200, 200, 404, 404, 404, 404),
    ),
    # --- Staff: invitations ---------------------------------------------------------------------------------------
    # Its "Find" is posted (a name never in a URL).
    Row("intake:invitation-list", "/staff/invitations/", (S, S, S, 403, 200, 200, 200), post="changes"),
    Row("intake:invitation-new", "/staff/invitations/new/", (S, S, S, 403, 200, 200, 200), post="changes"),
    Row(
        "intake:invitation-detail",
        lambda w: f"/staff/invitations/{w.patients['patient_a'].invitation.pk}/",
        (S, S, S, 403, 200, 200, 200),
    ),
    Row(
        "intake:invitation-renew",
        lambda w: f"/staff/invitations/{w.patients['patient_a'].invitation.pk}/new-link/",
        (S, S, S, 403, 405, 405, 405),
        post="changes",
        post_as="front_desk",
    ),
    Row(
        "intake:invitation-change",
        lambda w: f"/staff/invitations/{w.patients['patient_a'].invitation.pk}/details/",
        (S, S, S, 403, 405, 405, 405),
        post="changes",
        post_as="front_desk",
    ),
    Row(
        "intake:invitation-cancel",
        lambda w: f"/staff/invitations/{w.patients['patient_a'].invitation.pk}/cancel/",
        (S, S, S, 403, 405, 405, 405),
        post="changes",
        post_as="front_desk",
    ),
    Row(
        "intake:invitation-follow-up-link",
        lambda w: f"/staff/invitations/{w.patients['patient_a'].invitation.pk}/new-follow-up-link/",
        (S, S, S, 403, 405, 405, 405),
        post="changes",
        post_as="front_desk",
    ),
    # --- Staff sign-in ------------------------------------------------------------------------------------------
    Row("accounts:sign-in", "/staff/sign-in/", (200, 200, 200, R, R, R, R), post="changes", post_as="anonymous"),
    # The code and set-up steps only make sense right after a password: without one they send you back.
    Row("accounts:sign-in-code", "/staff/sign-in/code/", (S, S, S, S, S, S, S), post="changes", post_as="anonymous"),
    Row("accounts:sign-in-setup", "/staff/sign-in/set-up/", (S, S, S, S, S, S, S), post="changes", post_as="anonymous"),
    # The recovery codes from the set-up, until said to be saved: only to a session signed in with both steps (the
    # personas here are signed in without a code, so they go on to the welcome page).
    Row("accounts:recovery-codes", "/staff/sign-in/recovery-codes/", (S, S, S, R, R, R, R), post="changes"),
    # "E-mail me a link to unlock": open to everyone and the same answer for every username; the link itself shows
    # a button (a link that is not valid says so), and only its POST lifts the lock.
    Row("accounts:unlock-request", "/staff/sign-in/unlock/", PUBLIC, post="changes", post_as="anonymous"),
    Row("accounts:unlock-sent", "/staff/sign-in/unlock/sent/", PUBLIC),
    Row(
        "accounts:unlock",
        lambda w: f"/staff/sign-in/unlock/{w.users['front_desk'].pk}/not-a-valid-token/",
        PUBLIC,
        post="changes",
        post_as="anonymous",
    ),
    Row(
        "accounts:sign-out",
        "/staff/sign-out/",
        (405,) * 7,
        post="changes",
        post_expect=(R,) * 7,
    ),
    Row("accounts:after-sign-in", "/staff/welcome/", (S, S, S, R, R, R, R)),
    # Anyone signed in changes their own password (front desk and clinicians have no admin account page).
    Row(
        "accounts:password-change",
        "/staff/password/",
        (S, S, S, 200, 200, 200, 200),
        post="changes",
        post_as="front_desk",
    ),
    # "Stay signed in" on the warning before the idle sign-out: anyone signed in, for their own session.
    Row(
        "accounts:still-here",
        "/staff/still-here/",
        (405,) * 7,
        post="changes",
        post_as="front_desk",
        post_expect=(S, S, S, 200, 200, 200, 200),
    ),
    # --- Staff dashboards ---------------------------------------------------------------------------------------
    Row("dashboard:queue", "/staff/queue/", (S, S, S, 403, 200, 200, 200)),
    # The queue's search is a POST, so a patient's name never lands in a URL or a log line.
    Row(
        "dashboard:queue-search",
        "/staff/queue/search/",
        (405,) * 7,
        post="changes",
        post_as="front_desk",
        post_expect=(S, S, S, 403, R, R, R),
    ),
    Row("dashboard:export", "/staff/queue/export.csv", (S, S, S, 403, 403, 200, 200)),
    # Counts only, but the same people as the export (clinicians and administrators), audited like it.
    Row("dashboard:outcome-report", "/staff/reports/outcomes/", (S, S, S, 403, 403, 200, 200)),
    Row("dashboard:intake", lambda w: f"/staff/intakes/{w.submitted.pk}/", (S, S, S, 403, 403, 200, 200)),
    Row(
        "dashboard:review",
        lambda w: f"/staff/intakes/{w.submitted.pk}/review/",
        (405,) * 7,
        post="changes",
        post_as="clinician",
        post_expect=(S, S, S, 403, 403, 400, 400),  # 400: an empty review of an urgent intake, refused with a message
    ),
    # Undo of a review saved on the wrong patient: exactly the people who may mark it reviewed.
    Row(
        "dashboard:undo-review",
        lambda w: f"/staff/intakes/{w.submitted.pk}/undo-review/",
        (405,) * 7,
        post="changes",
        post_as="clinician",
        post_expect=(S, S, S, 403, 403, R, R),  # the world's intake is not reviewed: "nothing to undo", back to it
    ),
    Row("dashboard:audit", "/staff/audit/", (S, S, S, 403, 403, 403, 200)),
    # Issue 12: the patient page (every questionnaire's scores: clinical, like the intake page) and the follow-up list
    # (names, dates, status: front desk too), both audited.
    Row(
        "dashboard:patient",
        lambda w: f"/staff/patients/{w.submitted.patient_id}/",
        (S, S, S, 403, 403, 200, 200),
    ),
    Row("dashboard:follow-ups", "/staff/follow-ups/", (S, S, S, 403, 200, 200, 200)),
    # --- FHIR (outcomes): the published intake Questionnaire holds no patient data; an intake's Bundle does, so it
    # takes the intake page's permissions and is audited like it.
    Row("outcomes:fhir-questionnaire", lambda w: f"/fhir/Questionnaire/spine-intake-{RULES_VERSION}", PUBLIC),
    Row("outcomes:intake-fhir", lambda w: f"/staff/intakes/{w.submitted.pk}/fhir/", (S, S, S, 403, 403, 200, 200)),
    # --- Django admin -------------------------------------------------------------------------------------------
    Row("admin:index", "/admin/", EDITOR_AND_ADMIN),
    Row("admin:login", "/admin/login/", (S, S, S, R, 403, 403, R), post="changes", post_as="anonymous"),
    Row("admin:logout", "/admin/logout/", (R, R, R, 405, 403, 403, 405), post="changes"),
    # The admin header's "Change password" is the staff page (stop 34: Django's own skipped the lockout and audit).
    Row("admin:password_change", "/admin/password_change/", (S, S, S, R, 403, 403, R), post="changes"),
    Row("admin:password_change_done", "/admin/password_change/done/", (S, S, S, R, 403, 403, R)),
    Row("admin:autocomplete", "/admin/autocomplete/", (S, S, S, 403, 403, 403, 403)),
    Row("admin:jsi18n", "/admin/jsi18n/", EDITOR_AND_ADMIN),
    # "View on site" for an object with no public page (a staff account): 404 to the staff who may use the admin.
    Row(
        "admin:view_on_site",
        lambda w: f"/admin/r/{w.user_content_type.pk}/{w.users['editor'].pk}/",
        (S, S, S, 404, 403, 403, 404),
    ),
    Row("admin:app_list", "/admin/audit/", (S, S, S, 404, 403, 403, 200)),
    # --- Admin: the education library (editors' work) -------------------------------------------------------------
    # Editors may add and change topics but not delete them (a topic removed would orphan its page's links).
    *admin_model("education", "topic", lambda w: w.topic, editor=200, editor_change=200, editor_delete=403),
    *admin_model("education", "article", lambda w: w.article, editor=200, editor_change=200),
    Row(
        "admin:education_article_compare",
        lambda w: (
            f"/admin/education/article/{w.article.pk}/history/compare/"
            f"?version_id1={w.article_version.pk}&version_id2={w.article_version.pk}"
        ),
        EDITOR_AND_ADMIN,
    ),
    Row("admin:education_article_recoverlist", "/admin/education/article/recover/", EDITOR_AND_ADMIN),
    Row(
        "admin:education_article_recover",
        lambda w: f"/admin/education/article/recover/{w.deleted_article_version.pk}/",
        EDITOR_AND_ADMIN,
        post="changes",
    ),
    Row(
        "admin:education_article_revision",
        lambda w: f"/admin/education/article/{w.article.pk}/history/{w.article_version.pk}/",
        EDITOR_AND_ADMIN,
        post="changes",
    ),
    # --- Admin: the editorial workflow (issue 15, education/admin_views.py) ----------------------------------------
    # Preview of the form's unsaved words: POST only (405 to a GET), by those who may add or change articles. It saves
    # nothing, but is an admin form like the others: a POST without a CSRF token is refused (the CSRF sweep checks).
    Row(
        "admin:education_article_preview_new",
        "/admin/education/article/preview/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # GET: the saved working copy on the public layout, for those who may view articles.
    Row(
        "admin:education_article_preview",
        lambda w: f"/admin/education/article/{w.article.pk}/preview/",
        EDITOR_AND_ADMIN,
        post="changes",
    ),
    # Clinical sign-off: education.approve_article only (Clinical reviewers, superusers); editors may not approve.
    Row(
        "admin:education_article_review",
        lambda w: f"/admin/education/article/{w.article.pk}/review/",
        (S, S, S, 403, 403, 403, 200),
        post="changes",
    ),
    Row(
        "admin:education_article_discard",
        lambda w: f"/admin/education/article/{w.article.pk}/discard/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    Row(
        "admin:education_article_take_offline",
        lambda w: f"/admin/education/article/{w.article.pk}/take-offline/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # A translation's clinical sign-off (education/translation_approval.py): POST only, education.approve_article
    # only; an editor's POST is refused (tests/education/test_translations.py).
    Row(
        "admin:education_articletranslation_approve",
        lambda w: f"/admin/education/articletranslation/{_article_translation(w).pk}/approve/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # "Approve the new release for patients" (a starter release waiting beside the approved words): the same rule.
    Row(
        "admin:education_articletranslation_approve_release",
        lambda w: f"/admin/education/articletranslation/{_article_translation(w).pk}/approve-release/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # "Decline this release" (the release set aside, the approved words kept): the same rule.
    Row(
        "admin:education_articletranslation_decline_release",
        lambda w: f"/admin/education/articletranslation/{_article_translation(w).pk}/decline-release/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # "Bring this release back for review" (a declined release waits for review again): the same rule.
    Row(
        "admin:education_articletranslation_reopen_release",
        lambda w: f"/admin/education/articletranslation/{_article_translation(w).pk}/reopen-release/",
        (S, S, S, 405, 403, 403, 405),
        post="changes",
    ),
    # Images and translations: editors add and change them (deleting an image could break a live article). A
    # translation goes only with its article, kept for "Recover deleted articles" (education/recovery.py).
    *admin_model(
        "education", "articleimage", lambda w: _article_image(w), editor=200, editor_change=200, editor_delete=403
    ),
    *admin_model(
        "education",
        "articletranslation",
        lambda w: _article_translation(w),
        editor=200,
        editor_change=200,
        editor_delete=403,
    ),
    # Uploaded images are public, named by their content's hash; a name that is not a stored image is 404
    # (tests/education/test_images.py serves a real one, with its cache headers).
    Row("article-image", "/media/articles/" + "0" * 32 + ".webp", (404, 404, 404, 404, 404, 404, 404)),
    Row("admin/(?P<url>.*)$", "/admin/no-such-page/", (S, S, S, 404, 403, 403, 404)),
    *admin_model("auth", "group", lambda w: w.group),
    *admin_model("auth", "user", lambda w: w.users["editor"]),
    Row(
        "admin:auth_user_password_change",
        lambda w: f"/admin/auth/user/{w.users['editor'].pk}/password/",
        ADMIN_ONLY,
        post="changes",
    ),
    *admin_model("django_tasks_database", "dbtaskresult", lambda w: w.task_result, admin_add=403, admin_delete=403),
    *admin_model("audit", "auditevent", lambda w: w.audit_event, admin_add=403, admin_delete=403),
    *admin_model("alerts", "alert", lambda w: w.alert, admin_add=403, admin_delete=403),
    # A number that asked for no texts: administrators delete it when the patient asks for texts again.
    *admin_model("messaging", "textoptout", lambda w: w.text_opt_out, admin_add=403),
    # Finding a number (posted, so that a patient's number never lands in an address): administrators only.
    Row(
        "admin:messaging_textoptout_find",
        "/admin/messaging/textoptout/find/",
        (S, S, S, 403, 403, 403, 405),
        post="changes",
    ),
    *admin_model("axes", "accessattempt", lambda w: w.access_attempt, admin_add=403),
    *admin_model("axes", "accesslog", lambda w: w.access_log, admin_add=403),
    *admin_model("axes", "accessfailurelog", lambda w: w.access_failure_log, admin_add=403),
    *admin_model("otp_totp", "totpdevice", lambda w: w.totp_device),
    Row(
        "admin:otp_totp_totpdevice_config",
        lambda w: f"/admin/otp_totp/totpdevice/{w.totp_device.pk}/config/",
        NOBODY_NOT_EVEN_ADMIN,
    ),
    Row(
        "admin:otp_totp_totpdevice_qrcode",
        lambda w: f"/admin/otp_totp/totpdevice/{w.totp_device.pk}/qrcode/",
        NOBODY_NOT_EVEN_ADMIN,
    ),
    *admin_model("otp_static", "staticdevice", lambda w: w.static_device),
    # Last: opening a link replaces the browser's patient session (so patient B holds A's pending check after it).
    # Anyone opening patient A's link is asked for A's date of birth; A's own browser goes straight back in.
    Row("intake:start", lambda w: f"/intake/start/{w.patients['patient_a'].token}/", (R, R, R, R, R, R, R)),
]


def rows_by_key() -> dict[str, Row]:
    table: dict[str, Row] = {}
    for row in ROWS:
        assert row.key not in table, f"{row.key} has two rows"
        table[row.key] = row
    return table


# --- Objects for the editorial workflow's rows (issue 15): made with the world (tests/security/world.py) ---------


def editorial_objects(article: Any) -> None:
    """An uploaded image (its file need not exist for the admin pages) and a Spanish translation of `article`."""
    from education.models import ArticleImage, ArticleTranslation

    ArticleImage.objects.create(
        name="bridge-exercise", image="articles/" + "a" * 32 + ".webp", width=800, height=600, alt_text="A bridge."
    )
    ArticleTranslation.objects.create(
        article=article, language="es", title="Dolor", summary="Qué ayuda.", body="Muévase."
    )


def _article_image(world: Any) -> Any:
    from education.models import ArticleImage

    return ArticleImage.objects.get(name="bridge-exercise")


def _article_translation(world: Any) -> Any:
    from education.models import ArticleTranslation

    return ArticleTranslation.objects.get(article=world.article, language="es")


# A clinical reviewer (accounts.roles.CLINICAL_REVIEWERS) gets what a content editor gets from every URL but these:
# key -> (answer, why).
REVIEWER_DIFFERS: dict[str, tuple[Answer, str]] = {
    "admin:education_article_review": (200, "approving an article or a change to it is the reviewer's own work"),
    # The reviewer reads what editors write; writing, removing and restoring are the editors'.
    "admin:education_article_add": (403, "view and approve only"),
    "admin:education_article_delete": (403, "view and approve only"),
    "admin:education_article_recoverlist": (403, "restoring a deleted article is an editor's change"),
    "admin:education_article_recover": (403, "restoring a deleted article is an editor's change"),
    "admin:education_topic_add": (403, "view only"),
    "admin:education_articleimage_add": (403, "view only"),
    "admin:education_articletranslation_add": (403, "view only"),
}
