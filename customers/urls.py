from django.urls import path

from . import views

# Mounted by the project URLconf inside the leads namespace ("leads:convert"), where the lead
# page's button has always pointed: the view belongs here because leads never imports customers.
lead_urlpatterns = [
    path("<int:pk>/convert/", views.customer_from_lead_view, name="convert"),
]

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export/", views.customer_export, name="export"),
    path("<int:pk>/fields/", views.customer_fields_edit, name="fields_edit"),
    path("bulk/", views.customer_bulk, name="bulk"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/activity/", views.activity_add, name="activity_add"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("<int:pk>/tier/", views.tier_override, name="tier_override"),
    path("<int:pk>/ledger/", views.customer_ledger, name="customer_ledger"),
    path("<int:pk>/complaints/new/", views.complaint_create, name="complaint_create"),
    path("<int:pk>/surveys/new/", views.survey_create, name="survey_create"),
    path("<int:customer_pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/export/", views.contract_export, name="contract_export"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/print/", views.contract_print, name="contract_print"),
    path("contracts/<int:pk>/history/", views.contract_history, name="contract_history"),
    path("contracts/<int:pk>/submit/", views.contract_submit, name="contract_submit"),
    path("contracts/<int:pk>/recall/", views.contract_recall, name="contract_recall"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/archive/", views.contract_archive, name="contract_archive"),
    path("contracts/<int:pk>/hand-off/", views.contract_hand_off, name="contract_hand_off"),
    path("contracts/<int:pk>/refund/", views.refund_request, name="refund_request"),
    path("steps/<int:pk>/confirm/", views.step_confirm, name="step_confirm"),
    path("steps/<int:pk>/decide/", views.step_decide, name="step_decide"),
    path("approvals/", views.approval_inbox, name="approval_inbox"),
    path("instalments/<int:pk>/pay/", views.payment_create, name="payment_create"),
    path("instalments/<int:pk>/dunning/", views.dunning_create, name="dunning_create"),
    path("lines/<int:pk>/lessons/", views.lessons_create, name="lessons_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("receivables/", views.receivables, name="receivables"),
    path("refunds/", views.refund_list, name="refunds"),
    path("refunds/<int:pk>/decide/", views.refund_decide, name="refund_decide"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path(
        "complaints/<int:pk>/respond/",
        views.complaint_update,
        {"action": "respond"},
        name="complaint_respond",
    ),
    path(
        "complaints/<int:pk>/resolve/",
        views.complaint_update,
        {"action": "resolve"},
        name="complaint_resolve",
    ),
    path("complaints/<int:pk>/route/", views.complaint_route, name="complaint_route"),
    path(
        "complaints/<int:pk>/confirm/",
        views.complaint_close_loop,
        {"action": "confirm"},
        name="complaint_confirm",
    ),
    path(
        "complaints/<int:pk>/reopen/",
        views.complaint_close_loop,
        {"action": "reopen"},
        name="complaint_reopen",
    ),
]
