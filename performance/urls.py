from django.urls import path

from . import views

app_name = "performance"
urlpatterns = [
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("alerts/", views.alerts, name="alerts"),
]
