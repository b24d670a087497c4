from django import template

from ..forms import TokenForm
from ..models import ApiToken

register = template.Library()


@register.inclusion_tag("api/token_panel.html", takes_context=True)
def api_token_panel(context):
    """The profile page's API tokens: the user's own, newest first, and the form for one more."""
    user = context["request"].user
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:50])
    return {"tokens": tokens, "form": TokenForm(), "request": context["request"]}
