"""Run a parse in a forked child with a memory and a time limit.

fork() is the cheapest isolation on Linux (a few milliseconds: the child shares the parent's imported readers
and the file's bytes), and it keeps the readers' native code (lxml, calamine's Rust) out of the parent's
process: an abort, a segfault or an allocation of 512 GiB ends the child only. The child touches no database
connection and leaves by os._exit, so nothing it inherited is closed or flushed twice.
"""

from __future__ import annotations

import faulthandler
import gc
import logging
import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from zhenggai.untrusted.limits import Limits, RejectedFile

T = TypeVar("T")
log = logging.getLogger(__name__)

_OK, _RAISED, _FAILED = 0, 1, 2
_CRASHED = 70  # the child could not even report


def _address_space() -> int:
    """The process's current virtual size in bytes (the child's limit is added to it)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(
    write_fd: int,
    limits: Limits,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    passthrough: tuple[type[Exception], ...],
) -> None:
    code = _CRASHED
    try:
        gc.disable()  # short-lived, and bounded by RLIMIT_AS: no collections that copy shared pages
        faulthandler.disable()  # a reader's crash is expected here; the parent logs it in one line
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        limit = _address_space() + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        seconds = max(1, int(limits.seconds) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        try:
            outcome: tuple[int, Any] = (_OK, func(*args))
        except MemoryError:
            outcome = (_RAISED, RejectedFile("读取时超过内存上限。"))
        except RecursionError:
            outcome = (_RAISED, RejectedFile("文件的结构嵌套过深。"))
        except passthrough as exc:
            outcome = (_RAISED, exc)
        except Exception:  # a reader's bug on a strange file: the parent logs it, the user gets our message
            outcome = (_FAILED, traceback.format_exc()[-8000:])
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that cannot cross the pipe: say what it was
            payload = pickle.dumps((_FAILED, repr(outcome[1])[:2000]))
        view = memoryview(payload)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
        code = 0
    except BaseException:
        code = _CRASHED
    finally:
        os._exit(code)


def run_isolated(
    func: Callable[..., T],
    *args: Any,
    limits: Limits,
    passthrough: tuple[type[Exception], ...] = (),
) -> T:
    """`func(*args)` computed in a child process; the `passthrough` exceptions (and RejectedFile) it raises
    are raised here, any other becomes a RejectedFile (its traceback is logged).

    A child that dies (signal, memory, time) raises RejectedFile; the parent is never at risk. Where fork is
    missing (not Linux) the call runs in this process.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - the project runs on Linux
        return func(*args)
    read_fd, write_fd = os.pipe()
    gc.freeze()  # the child's collector then leaves the inherited objects (and their pages) alone
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:  # pragma: no cover - the child leaves through os._exit inside _child
        os.close(read_fd)
        _child(write_fd, limits, func, args, (RejectedFile, *passthrough))
    gc.unfreeze()
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.seconds
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        status = _reap(pid)
    if timed_out:
        raise RejectedFile(f"处理时间超过{limits.seconds:.0f}秒。")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        log.warning("isolated parse ended with %s", f"signal {-code}" if code < 0 else f"exit {code}")
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            raise RejectedFile(f"处理时间超过{limits.seconds:.0f}秒。")
        raise RejectedFile("读取时程序异常终止（可能超过内存上限）。")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == _RAISED:
        raise value
    if kind == _FAILED:
        log.error("isolated parse failed:\n%s", value)
        raise RejectedFile("文件格式异常，无法读取。")
    result: T = value
    return result


def _reap(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:  # pragma: no cover - retried by Python itself since PEP 475
            continue
