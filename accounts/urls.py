from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import team, views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/verify/", views.verify, name="login-verify"),
    path("login/enrol/", views.enrol, name="login-enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("team/", team.team, name="team"),
    path("escalations/", team.policy, name="escalation-policy"),
    path("email-failures/", team.email_failures, name="email-failures"),
    path("preferences/", views.preferences, name="preferences"),
    path("team/invite/", team.invite, name="team-invite"),
    path("team/<int:pk>/", team.member, name="team-member"),
    path("team/<int:pk>/role/", team.change_role, name="team-member-role"),
    path("team/<int:pk>/active/", team.set_active, name="team-member-active"),
    path("team/<int:pk>/second-factor/", team.reset_second_factor, name="team-member-2fa"),
    path("team/<int:pk>/sessions/", team.end_sessions, name="team-member-sessions"),
]
