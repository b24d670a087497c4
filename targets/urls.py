from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/weights/", views.plan_weights, name="plan_weights"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/adjust/", views.plan_adjust_company, name="plan_adjust_company"),
    path("plans/<int:pk>/adjust/<int:team_id>/", views.plan_adjust_team, name="plan_adjust_team"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/leaver/", views.member_leave, name="member_leave"),
    path("plans/<int:pk>/joiner/", views.member_join, name="member_join"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("progress/", views.progress, name="progress"),
]
