from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from zhenggai.portal.workdays import shipped_days

    day_model = apps.get_model("portal", "CalendarDay")
    for day, workday, note in shipped_days():
        day_model.objects.update_or_create(day=day, defaults={"is_workday": workday, "note": note})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_portal")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
