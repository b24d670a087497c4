"""The site pages of the API app: tokens on the profile page (create, shown once; revoke),
and the JSON 404 for unknown addresses under /api/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, action_required

from .forms import TokenForm
from .models import ApiToken, WebhookDelivery
from .services import token_create as create_token
from .services import token_revoke as revoke_token
from .services import webhook_replay as replay_delivery

ONCE_KEY = "api_token_shown_once"


@login_not_required
@csrf_exempt  # it changes nothing; a POST to an unknown address is a 404, not a CSRF page
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": _("Not found.")}, status=404)


@require_POST
@action_required(Action.API_TOKEN_MANAGE)
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = create_token(user=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            form.add_error(None, exc.messages[0])
        else:
            # Post/redirect/get: the secret waits in the session for the one page that shows
            # it, which removes it (it is never stored with the token: only its SHA-256 is).
            request.session[ONCE_KEY] = {"id": token.pk, "raw": raw}
            return redirect("token_created")
    for error in form.errors.values():
        messages.error(request, error[0])
    return redirect("profile")


def token_created(request):
    """The new token's secret, shown once: a reload finds it gone and returns to the profile."""
    once = request.session.pop(ONCE_KEY, None)
    token = (
        ApiToken.objects.filter(pk=once["id"], user=request.user).first()
        if isinstance(once, dict) and "id" in once
        else None
    )
    if token is None:
        return redirect("profile")
    return render(request, "api/token_created.html", {"token": token, "raw": once["raw"]})


@require_POST
@action_required(Action.API_TOKEN_MANAGE)
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    revoke_token(token=token, actor=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("profile")


@require_POST
@action_required(Action.WEBHOOK_MANAGE)
def webhook_replay(request, pk):
    """Send a logged delivery again (the button on its admin page, and the admin action)."""
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    replay_delivery(delivery=delivery, actor=request.user)
    messages.success(request, _("The delivery was queued again."))
    return redirect("admin:api_webhookdelivery_changelist")
