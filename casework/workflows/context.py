"""What every rule needs to know about the organisation it runs for."""

from collections.abc import Iterator
from dataclasses import dataclass

from accounts.models import EscalationPolicy, Organisation
from casework.workflows.working_days import WorkingCalendar


@dataclass
class OrganisationContext:
    organisation: Organisation
    policy: EscalationPolicy
    calendar: WorkingCalendar


def organisations() -> Iterator[OrganisationContext]:
    """Every organisation with its escalation policy (created if missing) and calendar."""
    for organisation in Organisation.objects.prefetch_related("holidays").order_by("pk"):
        policy, _created = EscalationPolicy.objects.get_or_create(organisation=organisation)
        calendar = WorkingCalendar(
            organisation.weekend_days, [h.date for h in organisation.holidays.all()]
        )
        yield OrganisationContext(organisation, policy, calendar)
