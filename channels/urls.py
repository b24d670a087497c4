from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/review/", views.partner_review, name="partner_review"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/contacts/", views.partner_contact_add, name="partner_contact_add"),
    path("partners/<int:pk>/credit/", views.partner_credit, name="partner_credit"),
    path("partners/<int:pk>/review/", views.partner_review_decide, name="partner_review_decide"),
    path("partners/<int:pk>/offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/qr.svg", views.offer_qr, name="offer_qr"),
    path("leads/<int:pk>/offer/", views.lead_offer_choose, name="lead_offer_choose"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/close/", views.settlement_close, name="settlement_close"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/qr.svg", views.event_qr, name="event_qr"),
    path("events/<int:pk>/check-in/", views.event_check_in, name="event_check_in"),
    path("events/<int:pk>/follow-ups/", views.event_follow_ups, name="event_follow_ups"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/add/", views.campaign_add, name="campaign_add"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/goal/", views.campaign_goal, name="campaign_goal"),
    path("campaigns/<int:pk>/costs/", views.campaign_cost, name="campaign_cost"),
    path("campaigns/<int:pk>/retire/", views.campaign_retire, name="campaign_retire"),
    path("referral-rewards/", views.referral_rewards, name="referral_rewards"),
    path("referral-rewards/<int:pk>/decide/", views.referral_reward_decide, name="reward_decide"),
    path("referral-rewards/<int:pk>/paid/", views.referral_reward_pay, name="reward_pay"),
    # public: linked from posters (QR code) and the institution's sites
    path("e/<uuid:key>/", views.event_register, name="event_register"),
    path("e/<uuid:key>/thanks/", views.event_registered, name="event_registered"),
    path("o/<uuid:offer_key>/", views.offer_capture, name="offer_capture"),
    path("o/<uuid:offer_key>/thanks/", views.offer_claimed, name="offer_claimed"),
    # the partner portal: a partner login reaches only these (channels.middleware)
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/leads/new/", views.portal_lead_create, name="portal_lead_create"),
    path("portal/settlements/<int:pk>/", views.portal_settlement, name="portal_settlement"),
]
