"""The one exception for a refused business rule, raised by the services of every app.

It is a ``ValidationError`` (so a form or a view that shows validation messages shows it the
same way) whose ``str`` is the sentence meant for the user, not the list repr Django gives a
plain ValidationError. The apps' own refusals (``LeadError``, ``StatementError``, the role
matrix's ``ActionRefused``) are kinds of it, so a view catches one type."""

from django.core.exceptions import ValidationError


class BusinessRuleError(ValidationError):
    def __str__(self) -> str:
        return " ".join(str(message) for message in self.messages)
