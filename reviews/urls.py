from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("staff/reviewers/", views.pool, name="pool"),
]
