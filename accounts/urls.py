from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
