from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("lost-deals/", views.lost_deals, name="lost_deals"),
    path("money/", views.money_over_time, name="money"),
    path("collection/", views.collection, name="collection"),
    path("lifetime-value/", views.lifetime_value, name="ltv"),
    path("coverage/", views.coverage, name="coverage"),
    path("analyses/", views.analyses, name="analyses"),
    path("analyses/<int:pk>/", views.analysis_detail, name="analysis_detail"),
    path("analyses/<int:pk>/write/", views.analysis_write, name="analysis_write"),
    path("improvement-plans/", views.improvement_plans, name="plans"),
    path("annual-scorecards/", views.annual_scorecards, name="annual_scorecards"),
    path("improvement-plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("territories/", views.territories, name="territories"),
    path("market/", views.market_growth, name="market"),
]
