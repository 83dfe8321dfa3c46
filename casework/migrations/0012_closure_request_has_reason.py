"""A case in status "closure requested" carries its closure reason (a check constraint).

Existing requests without a reason (seed_demo made them; approving one failed on
`closed_case_has_reason_and_date`) get the reason "other" rather than going back to
"active": the caseworker's request stays in the supervisors' queue, where "Other" is
shown next to Approve and a supervisor can refuse it to have it asked again with the
true reason; the status, the request date (which the overdue-closure rule counts
from) and the statistics facts (which count the status, not the reason) stay true.
"""

from django.db import migrations, models


def give_reasonless_requests_a_reason(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    Case.objects.filter(status="closure_requested", closure_reason="").update(
        closure_reason="other"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0011_audit_denials_by_day_index"),
    ]

    operations = [
        migrations.RunPython(give_reasonless_requests_a_reason, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "closure_requested"), _negated=True),
                    models.Q(("closure_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="closure_request_has_reason",
                violation_error_message="Give a reason to request closure.",
            ),
        ),
    ]
