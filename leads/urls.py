from django.urls import path

from . import board, bulk, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create_view, name="create"),
    path("export/", views.lead_export, name="export"),
    path("my-day/", views.my_day, name="my_day"),
    path("board/", board.board, name="board"),
    path("bulk/", bulk.lead_bulk, name="bulk"),
    path("pool/", views.pool, name="pool"),
    path("capture/", views.capture, name="capture"),
    path("capture/thanks/", views.capture_done, name="capture_done"),
    path("import/", views.lead_import, name="import"),
    path("import/<slug:token>/rejected.csv", views.lead_import_rejected, name="import_rejected"),
    path("plans/", views.activity_plans, name="activity_plans"),
    path("plans/new/", views.activity_plan_create, name="activity_plan_create"),
    path("plans/<int:pk>/", views.activity_plan_detail, name="activity_plan_detail"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/next-follow-up/", bulk.lead_follow_up_date, name="follow_up_date"),
    path("<int:pk>/grade/", bulk.lead_grade_override_view, name="grade_override"),
    path("<int:pk>/follow-up/", views.activity_add, name="activity_add"),
    path("<int:pk>/stage/", views.stage_change, name="stage"),
    path("<int:pk>/assign/", views.lead_assign_view, name="assign"),
    path("<int:pk>/claim/", views.lead_claim_view, name="claim"),
    path("<int:pk>/merge/", views.lead_merge_view, name="merge"),
]
