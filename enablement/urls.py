from django.urls import path

from . import views

app_name = "enablement"

urlpatterns = [
    path("scripts/", views.library, name="library"),
    path("scripts/new/", views.script_create, name="script_create"),
    path("scripts/approvals/", views.approvals, name="approvals"),
    path("scripts/usage/", views.usage, name="usage"),
    path("scripts/<int:pk>/", views.script_detail, name="script_detail"),
    path("scripts/<int:pk>/revise/", views.script_revise, name="script_revise"),
    path("versions/<int:pk>/decide/", views.version_decide, name="version_decide"),
    path("experiments/", views.experiments, name="experiments"),
    path("experiments/<int:pk>/", views.experiment_detail, name="experiment_detail"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<int:pk>/", views.onboarding_detail, name="onboarding_detail"),
    path("onboarding/<int:pk>/probation/", views.probation_decide, name="probation_decide"),
    path("onboarding/items/<int:pk>/sign-off/", views.onboarding_sign_off, name="item_sign_off"),
    path("training/", views.training, name="training"),
    path("training/plan/", views.training_plan_add, name="training_plan_add"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("promotion/", views.promotion, name="promotion"),
    path("promotion/<int:pk>/decide/", views.promotion_decide, name="promotion_decide"),
]
