from django.urls import path

from . import views, views_mail

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("hooks/mail/bounce/", views.mail_bounce, name="mail_bounce"),
    path("staff/mail/", views_mail.mail_list, name="mail"),
    path("staff/mail/<int:pk>/send-again/", views_mail.mail_resend, name="mail_resend"),
]
