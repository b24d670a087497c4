"""Helpers shared by the customers views: form errors as messages, paging."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator

PAGE_SIZE = 25


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))
