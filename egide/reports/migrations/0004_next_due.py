"""Reports received before case handling: their feedback deadline (R17: 3 months from the acknowledgement,
or from the end of the acknowledgement period) and the next deadline the inbox sorts on."""

import calendar
import datetime

from django.db import migrations
from django.utils import timezone


def _plus_three_months(day: datetime.date) -> datetime.date:
    index = day.year * 12 + day.month - 1 + 3
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def fill(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    zone = timezone.get_default_timezone()
    for report in Report.objects.all().iterator():
        start = report.acknowledged_at.astimezone(zone).date() if report.acknowledged_at else report.ack_due
        report.feedback_due = _plus_three_months(start)
        if report.status in {"received", "acknowledged", "in_progress"}:
            if report.acknowledged_at is None:
                report.next_due, report.next_due_kind = report.ack_due, "acknowledgement"
            else:
                report.next_due, report.next_due_kind = report.feedback_due, "feedback"
        if report.status == "closed":
            report.retention_state = "closed"
        report.save(update_fields=["feedback_due", "next_due", "next_due_kind", "retention_state"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_case_handling")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
