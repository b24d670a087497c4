"""API errors: a business rule's refusal (``BusinessRuleError``, a Django ValidationError) is a
400 with its sentence, a role refusal a 403, an unknown or out-of-scope id a 404; never a 500."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError) and not isinstance(exc, PermissionDenied):
        if hasattr(exc, "error_dict"):
            detail = {field: messages for field, messages in exc.message_dict.items()}
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in detail.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDenied):
        message = exc.args[0] if exc.args else None
        if hasattr(exc, "messages"):
            message = exc.messages[0]
        exc = exceptions.PermissionDenied(message)
    return drf_handler(exc, context)
