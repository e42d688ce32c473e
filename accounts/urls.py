from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/confirm/<str:token>/", views.two_factor_link, name="two_factor_link"),
]
