"""Organisation management: a unit's departments and users, and the bulk import of units and users.

Every change is one function: the permission check, the change and its AuditEvent in one transaction. The
package is split by what it does:

- `scope`: who manages which units and users (`managed_units`, `managed_users`, `can_import`);
- `units`: `add_department`, `rename_unit`;
- `users`: `add_user`, `set_role`, `reset_password`, `set_active`, `generate_password`;
- `import_plan`: the bulk import's plan, every error with its sheet, row and column, before any write;
- `importing`: `import_organisation`, which applies a plan without errors in one transaction;
- `labels`: the 全程纪实 names of these actions.

The names below stay importable from the package, as the pages (`organisation as org`) and tests use them.
"""

from zhenggai.ledger.services.organisation.import_plan import (
    KIND_WORDS,
    ROLE_WORDS,
    NewPassword,
    OrgImportResult,
)
from zhenggai.ledger.services.organisation.importing import (
    GENERATED_PASSWORD_ITERATIONS,
    INITIAL_PASSWORD_ITERATIONS,
    import_organisation,
)
from zhenggai.ledger.services.organisation.labels import ACTION_LABELS
from zhenggai.ledger.services.organisation.scope import (
    MANAGER_ROLES,
    can_import,
    can_manage_unit,
    managed_units,
    managed_users,
)
from zhenggai.ledger.services.organisation.units import add_department, rename_unit
from zhenggai.ledger.services.organisation.users import (
    add_user,
    describe_role,
    generate_password,
    reset_password,
    set_active,
    set_role,
)

__all__ = [
    "ACTION_LABELS",
    "GENERATED_PASSWORD_ITERATIONS",
    "INITIAL_PASSWORD_ITERATIONS",
    "KIND_WORDS",
    "MANAGER_ROLES",
    "ROLE_WORDS",
    "NewPassword",
    "OrgImportResult",
    "add_department",
    "add_user",
    "can_import",
    "can_manage_unit",
    "describe_role",
    "generate_password",
    "import_organisation",
    "managed_units",
    "managed_users",
    "rename_unit",
    "reset_password",
    "set_active",
    "set_role",
]
