"""The lead page learns of the enablement app only through the core's extension registry
(salescrm.extensions): the panel and the form field are registered from enablement/hooks.py."""

import pytest

from enablement.hooks import ScriptUsed, scripts_for_lead
from leads.forms import ActivityForm
from salescrm.extensions import activity_extensions, panels_for
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_hooks_are_discovered():
    assert scripts_for_lead in panels_for("leads.lead")
    assert any(isinstance(extension, ScriptUsed) for extension in activity_extensions())


def test_the_follow_up_form_gets_the_field_only_for_a_lead(rep, legal):
    lead = LeadFactory(owner=rep)
    assert "script_used" in ActivityForm(user=rep, lead=lead).fields
    assert "script_used" not in ActivityForm().fields  # e.g. the customer page's own form
    assert "script_used" not in ActivityForm(user=legal, lead=lead).fields  # may not log
