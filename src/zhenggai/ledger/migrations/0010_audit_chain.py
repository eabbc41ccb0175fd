"""The 全程纪实 hash chain: sequence, previous hash and own hash on every event, existing events chained in id
order; on PostgreSQL a trigger refuses UPDATE and DELETE on the table (append only)."""

import django.utils.timezone
from django.db import migrations, models

from zhenggai.ledger.audit_chain import CHAIN_COLUMNS, GENESIS, event_hash

_BATCH = 2000

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION zhenggai_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '全程纪实只能追加，不能修改或删除（%）。', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_auditevent_append_only BEFORE UPDATE OR DELETE ON ledger_auditevent
    FOR EACH ROW EXECUTE FUNCTION zhenggai_audit_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS ledger_auditevent_append_only ON ledger_auditevent;
DROP FUNCTION IF EXISTS zhenggai_audit_append_only();
"""


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("ledger", "AuditEvent")
    previous = GENESIS
    batch = []
    for seq, event in enumerate(AuditEvent.objects.order_by("id").iterator(chunk_size=_BATCH), start=1):
        event.seq = seq
        event.prev_hash = previous
        event.chain_hash = event_hash(*(getattr(event, column) for column in CHAIN_COLUMNS))
        previous = event.chain_hash
        batch.append(event)
        if len(batch) >= _BATCH:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "chain_hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "chain_hash"])


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0009_measure_sort_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
