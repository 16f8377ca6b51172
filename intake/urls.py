"""Patient pages under /intake/ (token only in the first one) and staff invitation pages under /staff/invitations/.

Both live in the `intake` namespace, so this module is included at the site root.
"""

from django.urls import path

from intake import patient_link_views, patient_views, staff_views

app_name = "intake"

urlpatterns = [
    path("intake/start/<str:token>/", patient_link_views.start, name="start"),
    path("intake/confirm/", patient_link_views.confirm, name="confirm"),
    path("intake/code/", patient_link_views.code, name="code"),
    path("intake/", patient_views.resume, name="resume"),
    path("intake/step/<slug:slug>/", patient_views.step, name="step"),
    path("intake/important/", patient_views.emergency, name="emergency"),
    path("intake/review/", patient_views.review, name="review"),
    path("intake/done/", patient_views.done, name="done"),
    path("intake/done/answers/", patient_views.answers_copy, name="answers"),
    path("intake/exit/", patient_views.leave, name="exit"),
    path("intake/still-here/", patient_views.still_here, name="still-here"),
    path("staff/invitations/", staff_views.invitation_list, name="invitation-list"),
    path("staff/invitations/new/", staff_views.invitation_new, name="invitation-new"),
    path("staff/invitations/<int:pk>/", staff_views.invitation_detail, name="invitation-detail"),
    path("staff/invitations/<int:pk>/new-link/", staff_views.invitation_renew, name="invitation-renew"),
    path("staff/invitations/<int:pk>/details/", staff_views.invitation_change, name="invitation-change"),
    path("staff/invitations/<int:pk>/cancel/", staff_views.invitation_cancel, name="invitation-cancel"),
    path(
        "staff/invitations/<int:pk>/new-follow-up-link/", staff_views.follow_up_resend, name="invitation-follow-up-link"
    ),
]
