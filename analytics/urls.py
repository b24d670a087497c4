from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("lost-deals/", views.lost_deals, name="lost_deals"),
    path("money/", views.money_over_time, name="money"),
    path("collection/", views.collection, name="collection"),
    path("lifetime-value/", views.lifetime_value, name="ltv"),
    path("coverage/", views.coverage, name="coverage"),
    path("territories/", views.territories, name="territories"),
    path("market/", views.market_growth, name="market"),
]
