"""The triggers that keep ledger.Reach (the scope rows of `visible_to`) in step, on SQLite and PostgreSQL.

Installed after every `migrate` when missing, and then the rows rebuilt (apps.LedgerConfig). On SQLite they are
dropped before migrating: SQLite alters a table by rebuilding it, which fails on triggers naming the table.
"""

from __future__ import annotations

from typing import Any

# Triggers keep ledger_reach in step with measures, their cooperating departments and inspections, whatever
# writes them (services, imports, bulk_create, queryset.update). Deletes cascade through Django's collector and,
# for raw deletes, through the delete triggers.
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_inspection_ins AFTER INSERT ON ledger_inspection BEGIN
        INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
        VALUES (NEW.id, NULL, NEW.inspected_unit_id, 'u');
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_inspection_upd AFTER UPDATE OF inspected_unit_id ON ledger_inspection
    WHEN OLD.inspected_unit_id <> NEW.inspected_unit_id BEGIN
        UPDATE ledger_reach SET unit_id = NEW.inspected_unit_id
        WHERE inspection_id = NEW.id AND source IN ('u', 'i');
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_inspection_del AFTER DELETE ON ledger_inspection BEGIN
        DELETE FROM ledger_reach WHERE inspection_id = OLD.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_measure_ins AFTER INSERT ON ledger_measure BEGIN
        INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
        SELECT NEW.inspection_id, NEW.id, inspected_unit_id, 'i' FROM ledger_inspection WHERE id = NEW.inspection_id;
        INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
        SELECT NEW.inspection_id, NEW.id, NEW.lead_department_id, 'l' WHERE NEW.lead_department_id IS NOT NULL;
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_measure_inspection AFTER UPDATE OF inspection_id ON ledger_measure
    WHEN OLD.inspection_id <> NEW.inspection_id BEGIN
        UPDATE ledger_reach SET inspection_id = NEW.inspection_id WHERE measure_id = NEW.id;
        UPDATE ledger_reach SET unit_id = (SELECT inspected_unit_id FROM ledger_inspection WHERE id = NEW.inspection_id)
        WHERE measure_id = NEW.id AND source = 'i';
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_measure_lead AFTER UPDATE OF lead_department_id ON ledger_measure
    WHEN OLD.lead_department_id IS NOT NEW.lead_department_id BEGIN
        DELETE FROM ledger_reach WHERE measure_id = NEW.id AND source = 'l';
        INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
        SELECT NEW.inspection_id, NEW.id, NEW.lead_department_id, 'l' WHERE NEW.lead_department_id IS NOT NULL;
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_measure_del AFTER DELETE ON ledger_measure BEGIN
        DELETE FROM ledger_reach WHERE measure_id = OLD.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_cooperating_ins AFTER INSERT ON ledger_measure_cooperating_departments BEGIN
        INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
        SELECT inspection_id, id, NEW.unit_id, 'c' FROM ledger_measure WHERE id = NEW.measure_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_reach_cooperating_del AFTER DELETE ON ledger_measure_cooperating_departments BEGIN
        DELETE FROM ledger_reach WHERE measure_id = OLD.measure_id AND unit_id = OLD.unit_id AND source = 'c';
    END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION ledger_reach_inspection() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
            VALUES (NEW.id, NULL, NEW.inspected_unit_id, 'u');
        ELSIF TG_OP = 'UPDATE' THEN
            IF NEW.inspected_unit_id <> OLD.inspected_unit_id THEN
                UPDATE ledger_reach SET unit_id = NEW.inspected_unit_id
                WHERE inspection_id = NEW.id AND source IN ('u', 'i');
            END IF;
        ELSE
            DELETE FROM ledger_reach WHERE inspection_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ledger_reach_inspection AFTER INSERT OR UPDATE OF inspected_unit_id OR DELETE
    ON ledger_inspection FOR EACH ROW EXECUTE FUNCTION ledger_reach_inspection()""",
    """CREATE OR REPLACE FUNCTION ledger_reach_measure() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
            SELECT NEW.inspection_id, NEW.id, inspected_unit_id, 'i' FROM ledger_inspection WHERE id = NEW.inspection_id;
            IF NEW.lead_department_id IS NOT NULL THEN
                INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
                VALUES (NEW.inspection_id, NEW.id, NEW.lead_department_id, 'l');
            END IF;
        ELSIF TG_OP = 'UPDATE' THEN
            IF NEW.inspection_id <> OLD.inspection_id THEN
                UPDATE ledger_reach SET inspection_id = NEW.inspection_id WHERE measure_id = NEW.id;
                UPDATE ledger_reach SET unit_id = (
                    SELECT inspected_unit_id FROM ledger_inspection WHERE id = NEW.inspection_id
                ) WHERE measure_id = NEW.id AND source = 'i';
            END IF;
            IF NEW.lead_department_id IS DISTINCT FROM OLD.lead_department_id THEN
                DELETE FROM ledger_reach WHERE measure_id = NEW.id AND source = 'l';
                IF NEW.lead_department_id IS NOT NULL THEN
                    INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
                    VALUES (NEW.inspection_id, NEW.id, NEW.lead_department_id, 'l');
                END IF;
            END IF;
        ELSE
            DELETE FROM ledger_reach WHERE measure_id = OLD.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ledger_reach_measure AFTER INSERT OR UPDATE OF inspection_id, lead_department_id OR DELETE
    ON ledger_measure FOR EACH ROW EXECUTE FUNCTION ledger_reach_measure()""",
    """CREATE OR REPLACE FUNCTION ledger_reach_cooperating() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
            SELECT inspection_id, id, NEW.unit_id, 'c' FROM ledger_measure WHERE id = NEW.measure_id;
        ELSE
            DELETE FROM ledger_reach WHERE measure_id = OLD.measure_id AND unit_id = OLD.unit_id AND source = 'c';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER ledger_reach_cooperating AFTER INSERT OR DELETE ON ledger_measure_cooperating_departments
    FOR EACH ROW EXECUTE FUNCTION ledger_reach_cooperating()""",
]
BACKFILL = [
    """INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
    SELECT id, NULL, inspected_unit_id, 'u' FROM ledger_inspection""",
    """INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
    SELECT m.inspection_id, m.id, i.inspected_unit_id, 'i'
    FROM ledger_measure m JOIN ledger_inspection i ON i.id = m.inspection_id""",
    """INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
    SELECT inspection_id, id, lead_department_id, 'l' FROM ledger_measure WHERE lead_department_id IS NOT NULL""",
    """INSERT INTO ledger_reach (inspection_id, measure_id, unit_id, source)
    SELECT m.inspection_id, m.id, c.unit_id, 'c'
    FROM ledger_measure_cooperating_departments c JOIN ledger_measure m ON m.id = c.measure_id""",
]


REBUILD = ["DELETE FROM ledger_reach", *BACKFILL]
SQLITE_NAMES = (
    "inspection_ins", "inspection_upd", "inspection_del", "measure_ins", "measure_inspection",
    "measure_lead", "measure_del", "cooperating_ins", "cooperating_del",
)  # fmt: skip
POSTGRES_NAMES = ("inspection", "measure", "cooperating")


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def present(connection: Any) -> bool:
    """Whether every trigger is in place."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(DISTINCT tgname) FROM pg_trigger WHERE tgname LIKE 'ledger_reach_%%'"
            )
            return bool(cursor.fetchone()[0] == len(POSTGRES_NAMES))
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_reach_%'"
        )
        return bool(cursor.fetchone()[0] == len(SQLITE_NAMES))


def install(connection: Any) -> None:
    _run(connection, POSTGRES if connection.vendor == "postgresql" else SQLITE)


def uninstall(connection: Any) -> None:
    if connection.vendor == "postgresql":
        drops = [f"DROP TRIGGER IF EXISTS ledger_reach_{name} ON {table}" for name, table in (
            ("inspection", "ledger_inspection"), ("measure", "ledger_measure"),
            ("cooperating", "ledger_measure_cooperating_departments"),
        )] + [f"DROP FUNCTION IF EXISTS ledger_reach_{name}()" for name in POSTGRES_NAMES]  # fmt: skip
    else:
        drops = [f"DROP TRIGGER IF EXISTS ledger_reach_{name}" for name in SQLITE_NAMES]
    _run(connection, drops)


def rebuild(connection: Any) -> None:
    """Recompute every reach row from the measures, departments and inspections (set-based)."""
    _run(connection, REBUILD)


def ensure(connection: Any) -> bool:
    """Reinstall missing triggers and then rebuild the rows they would have kept; True when it had to."""
    if present(connection):
        return False
    install(connection)
    rebuild(connection)
    return True
