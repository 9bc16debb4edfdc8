"""Accounts URLs: Django's auth views under /accounts/, profiles under /users/."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/login/resend/", views.login_and_resend, name="login_and_resend"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        views.ThrottledPasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/email/verify/resend/", views.resend_verification, name="resend_verification"),
    path("accounts/email/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("accounts/email/change/", views.change_email, name="change_email"),
    path("accounts/email/change/<str:token>/", views.confirm_email_change, name="confirm_email_change"),
    path("accounts/api-tokens/", views.api_token_create, name="api_token_create"),
    path("accounts/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("users/<str:username>/", views.profile, name="profile"),
]
