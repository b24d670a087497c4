"""The lead page learns of the enablement app only through the core's registries: the card is a
page panel (enablement/panels.py, salescrm.panels), the form field an activity extension
(enablement/hooks.py, salescrm.extensions)."""

import pytest

from enablement.hooks import ScriptUsed
from enablement.panels import scripts_for_lead
from leads.forms import ActivityForm
from salescrm.extensions import activity_extensions
from salescrm.panels import registered_panels
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_hooks_are_discovered():
    assert scripts_for_lead in registered_panels("leads:lead_detail")
    assert any(isinstance(extension, ScriptUsed) for extension in activity_extensions())


def test_the_follow_up_form_gets_the_field_only_for_a_lead(rep, legal):
    lead = LeadFactory(owner=rep)
    assert "script_used" in ActivityForm(user=rep, lead=lead).fields
    assert "script_used" not in ActivityForm().fields  # e.g. the customer page's own form
    assert "script_used" not in ActivityForm(user=legal, lead=lead).fields  # may not log
