from django.urls import path

from . import views

app_name = "performance"
urlpatterns = [
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("ratings/<int:pk>/", views.manager_rating, name="manager_rating"),
    path("statements/", views.statements, name="statements"),
    path("statements/export/", views.statements_export, name="statements_export"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/close/", views.statement_close, name="statement_close"),
    path("dashboard/export/<slug:key>/", views.dashboard_export, name="dashboard_export"),
]
