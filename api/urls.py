from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views, web


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for signed-in users and token holders."""


app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("leads", views.LeadViewSet, basename="lead")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("targets", views.TargetViewSet, basename="target")
router.register("scorecards", views.ScoreCardViewSet, basename="scorecard")
router.register("statements", views.StatementViewSet, basename="statement")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("v1/schema/", login_not_required(SchemaView.as_view(api_version="v1")), name="schema"),
    path("v1/target-progress/", views.ProgressView.as_view(), name="target_progress"),
    path("v1/", include(router.urls)),
    # A page of the site: anonymous visitors are sent to the login page.
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Anything else under /api/ is a JSON 404, never the HTML page.
    re_path(r"^.*$", web.not_found, name="not_found"),
]

# Pages of the site (not under /api/): the profile page's token forms, the replay button.
token_urlpatterns = [
    path("tokens/", web.token_create, name="token_create"),
    path("tokens/created/", web.token_created, name="token_created"),
    path("tokens/<int:pk>/revoke/", web.token_revoke, name="token_revoke"),
    path("webhooks/deliveries/<int:pk>/replay/", web.webhook_replay, name="webhook_replay"),
]
