"""Reading files that users send: check the zip directory first, then parse in a child process with limits.

Plain Python, no Django: `check_zip` and `check_sheet_extent` refuse what no reader should open, and
`run_isolated` runs a parse in a forked child under RLIMIT_AS and a time limit, so that a hostile file can end
the child (even by a native abort), never the web worker or the CLI. Every refusal is a `RejectedFile` with a
Chinese message for the user.
"""

from zhenggai.untrusted.isolate import run_isolated
from zhenggai.untrusted.limits import Limits, RejectedFile, current_limits
from zhenggai.untrusted.zipcheck import check_sheet_extent, check_zip

__all__ = ["Limits", "RejectedFile", "check_sheet_extent", "check_zip", "current_limits", "run_isolated"]
