import factory

from leads.models import Channel, Lead


def channel(code="website") -> Channel:
    return Channel.objects.get(code=code)


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead written straight to the table (tests of services create theirs through them)."""

    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"学员{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    channel = factory.LazyFunction(lambda: Channel.objects.get(code="website"))
    team = factory.LazyAttribute(lambda lead: lead.owner.team if lead.owner else None)
