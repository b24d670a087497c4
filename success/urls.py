from django.urls import path

from . import views

app_name = "success"

urlpatterns = [
    path("renewals/", views.renewal_list, name="renewals"),
    path("renewals/<int:pk>/", views.renewal_detail, name="renewal_detail"),
    path("renewals/<int:pk>/move/", views.renewal_move, name="renewal_move"),
    path("service/", views.service_levels, name="service"),
    path("churn/", views.churn, name="churn"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/<int:pk>/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/review/", views.review_create, name="review_create"),
    path("actions/<int:pk>/done/", views.action_item_mark, name="action_item_mark"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/send/<int:pk>/", views.survey_send, name="survey_send"),
    path("surveys/<int:pk>/send-again/", views.survey_resend, name="survey_resend"),
    path("survey/", views.survey_answer, name="survey_answer"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/new/", views.feedback_create, name="feedback_create"),
]
