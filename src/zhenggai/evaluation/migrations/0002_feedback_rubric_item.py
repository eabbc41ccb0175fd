"""群众意见按期答复 as a rubric rule; existing rubrics get the item switched off (their points stay 100)."""

from decimal import Decimal

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TITLE = "群众意见按期答复：超期未答复、超期答复的群众意见"


def add_item(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Rubric = apps.get_model("evaluation", "Rubric")
    RubricItem = apps.get_model("evaluation", "RubricItem")
    for rubric in Rubric.objects.exclude(items__rule="feedback"):
        last = RubricItem.objects.filter(rubric=rubric).order_by("-position").first()
        RubricItem.objects.create(
            rubric=rubric,
            position=(last.position + 1) if last else 0,
            rule="feedback",
            title=TITLE,
            points=Decimal(5),
            per_case=Decimal(1),
            active=False,
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_evaluation_and_recheck")]

    operations = [
        migrations.AlterField(
            model_name="rubricitem",
            name="rule",
            field=models.CharField(
                choices=[
                    ("on_time", "按期完成"),
                    ("evidence", "佐证材料"),
                    ("regulations", "建章立制"),
                    ("coverage", "台账完整"),
                    ("signals", "纸面整改疑点"),
                    ("recheck", "回头看"),
                    ("feedback", "群众意见按期答复"),
                ],
                max_length=20,
                verbose_name="扣分规则",
            ),
        ),
        migrations.RunPython(add_item, migrations.RunPython.noop),
    ]
