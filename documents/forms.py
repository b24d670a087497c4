from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Document


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, record_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if record_kind != "contract":
            self.fields["kind"].choices = [
                c for c in Document.Kind.choices if c[0] != Document.Kind.SIGNED_SCAN
            ]
