from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("lead/<int:pk>/", views.upload_lead, name="upload_lead"),
    path("customer/<int:pk>/", views.upload_customer, name="upload_customer"),
    path("contract/<int:pk>/", views.upload_contract, name="upload_contract"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
