"""One-time form tokens: a creating form submitted twice (back and resubmit, a double
click, two tabs) saves its row once.

A form inheriting ``OneTimeSubmitForm`` renders a hidden ``submission_token``, a fresh UUID
each time the page is drawn. The creating service, decorated with ``@submitted_once``,
receives it as the ``submission_token`` keyword and records it inside its own transaction
before writing anything: the token's unique index decides, so of two concurrent posts the
second waits for the first to commit and then finds the token taken. A taken token raises
``AlreadySubmitted`` naming the row saved the first time; the view redirects there with
``already_saved``. When the service refuses the input the transaction rolls back the token
too, so the corrected form can be sent again with the same token.

A post without a token (an API-style caller, an old page) is not deduplicated.
"""

import functools
import uuid

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import BusinessRuleError
from .models import SubmissionToken


class OneTimeSubmitForm(forms.Form):
    submission_token = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)


class AlreadySubmitted(BusinessRuleError):
    """A BusinessRuleError (a ValidationError), so that a view which does not redirect still says why nothing
    was saved."""

    def __init__(self, obj):
        super().__init__(_("This form was already submitted and saved; nothing was saved twice."))
        self.obj = obj


def _claim(token: uuid.UUID, user) -> None:
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token, user=user)
    except IntegrityError:
        taken = SubmissionToken.objects.filter(token=token).first()
        if taken is None or taken.user_id != getattr(user, "pk", None):
            raise BusinessRuleError(_("This form is no longer valid; reload the page.")) from None
        obj = None
        if taken.content_type_id is not None:
            model = ContentType.objects.get_for_id(taken.content_type_id).model_class()
            obj = model._default_manager.filter(pk=taken.object_id).first()
        raise AlreadySubmitted(obj) from None


# A page left open longer than this and then sent is treated as new: a resubmit comes within
# minutes, and the table must not grow without end.
TOKEN_KEEP_DAYS = 30


def tokens_purge(*, older_than) -> int:
    """Delete the tokens claimed before ``older_than`` (an aware datetime)."""
    deleted, _rows = SubmissionToken.objects.filter(created_at__lt=older_than).delete()
    return deleted


def submitted_once(service):
    """Make a creating service (keyword-only, with ``actor``) idempotent per form token."""

    @functools.wraps(service)
    def wrapper(*args, submission_token: uuid.UUID | None = None, **kwargs):
        if submission_token is None:
            return service(*args, **kwargs)
        with transaction.atomic():
            _claim(submission_token, kwargs["actor"])
            obj = service(*args, **kwargs)
            if getattr(obj, "pk", None) is not None:
                SubmissionToken.objects.filter(token=submission_token).update(
                    content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
                )
            return obj

    return wrapper


def already_saved(request, to, *args, **kwargs):
    """The answer to a resubmitted form: show what the first submission saved."""
    messages.info(request, gettext("Already saved: this form had been submitted before."))
    return redirect(to, *args, **kwargs)


def saved_before(request):
    """The row an earlier submission of this very form saved, or None. For the forms whose
    own validation would refuse the resubmission (a duplicate phone, a plan that exists)
    before the service sees the token."""
    try:
        token = uuid.UUID(str(request.POST.get("submission_token", "")))
    except ValueError:
        return None
    taken = SubmissionToken.objects.filter(
        token=token, user=request.user, content_type__isnull=False
    ).first()
    if taken is None:
        return None
    model = ContentType.objects.get_for_id(taken.content_type_id).model_class()
    return model._default_manager.filter(pk=taken.object_id).first()
