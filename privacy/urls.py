from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/<uuid:public_id>/status/", views.my_data_status, name="my_data_status"),
    path("my-data/<uuid:public_id>/download/", views.my_data_download, name="my_data_download"),
]
