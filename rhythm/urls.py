from django.urls import path

from . import views

app_name = "rhythm"
urlpatterns = [
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/check-in/", views.check_in, name="check_in"),
    path("attendance/check-out/", views.check_out, name="check_out"),
    path("attendance/record/", views.attendance_record, name="attendance_record"),
    path("attendance/<int:pk>/", views.attendance_month, name="attendance_month"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/write/", views.report_write, name="report_write"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/comment/", views.report_comment, name="report_comment"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/notes/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/actions/", views.action_item_add, name="action_item_add"),
    path("actions/<int:pk>/done/", views.action_item_done, name="action_item_done"),
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/move/", views.calendar_move, name="calendar_move"),
    path("calendar/feed/new/", views.calendar_feed_issue, name="calendar_feed_issue"),
    path("calendar/feed/created/", views.calendar_feed_created, name="calendar_feed_created"),
    path("calendar/feed/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
