from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.urls import token_urlpatterns
from customers.urls import lead_urlpatterns as customer_from_lead_urls
from leads.urls import urlpatterns as lead_urls
from performance.views import dashboard

from . import views
from .search import quick_search_view

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard", permanent=False)),
    # Before Django's own: without a mail server the reset page must not promise a mail.
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/", include(token_urlpatterns)),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", dashboard, name="dashboard"),
    path("search/", quick_search_view, name="quick_search"),
    path("filters/save/", views.saved_filter_save_view, name="saved_filter_save"),
    path("filters/delete/", views.saved_filter_delete_view, name="saved_filter_delete"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications_mark_read"),
    path("team/", views.member_list, name="member_list"),
    path("team/<int:pk>/", views.member_detail, name="member_detail"),
    path("leads/", include(([*lead_urls, *customer_from_lead_urls], "leads"))),
    path("customers/", include("customers.urls")),
    path("targets/", include("targets.urls")),
    path("performance/", include("performance.urls")),
    path("enablement/", include("enablement.urls")),
    path("channels/", include("channels.urls")),
    path("analytics/", include("analytics.urls")),
    path("rhythm/", include("rhythm.urls")),
    path("success/", include("success.urls")),
    path("api/", include("api.urls")),
    path("documents/", include("documents.urls")),
    path("admin/", admin.site.urls),
]
