from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from clinic_portal.errors import busy_page_says

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-in/set-up/", views.sign_in_setup, name="sign-in-setup"),
    path("sign-in/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("sign-in/unlock/", views.unlock_request, name="unlock-request"),
    path("sign-in/unlock/sent/", views.unlock_sent, name="unlock-sent"),
    path("sign-in/unlock/<str:uidb64>/<str:token>/", views.unlock_with_link, name="unlock"),
    # Met by a busy database, the person may still be signed in: not a change to check for on a page.
    path("sign-out/", busy_page_says("sign_out")(auth_views.LogoutView.as_view()), name="sign-out"),
    path("welcome/", views.after_sign_in, name="after-sign-in"),
    path("password/", views.change_password, name="password-change"),
    path("still-here/", views.still_here, name="still-here"),
]
