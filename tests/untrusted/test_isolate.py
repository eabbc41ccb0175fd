"""run_isolated: whatever the parse does, the calling process lives on and the user gets a Chinese reason."""

from __future__ import annotations

import ctypes
import os
import time

import pytest

from zhenggai.notices.read import NoticeReadError
from zhenggai.untrusted import Limits, RejectedFile, run_isolated

FAST = Limits(seconds=3)


def _abort() -> None:
    os.abort()


def _segfault() -> None:
    ctypes.string_at(0)


def _allocate() -> bytes:
    return b"x" * (4 * 1024 * 1024 * 1024)


def _sleep() -> None:
    time.sleep(30)


def _spin() -> None:
    while True:
        pass


def _raise_read_error() -> None:
    raise NoticeReadError("文件是空的，没有可读取的通报内容。")


def _raise_bug() -> None:
    raise KeyError("a reader's bug")


def _recurse(n: int = 0) -> int:
    return _recurse(n + 1) + 1


def test_the_result_comes_back_from_the_child() -> None:
    assert run_isolated(sorted, [3, 1, 2], limits=FAST) == [1, 2, 3]
    assert run_isolated(lambda: os.getpid(), limits=FAST) != os.getpid()


@pytest.mark.parametrize("crash", [_abort, _segfault], ids=["abort", "segfault"])
def test_a_native_crash_ends_the_child_not_this_process(crash: object) -> None:
    with pytest.raises(RejectedFile, match="文件过大或格式异常，已拒绝：读取时程序异常终止"):
        run_isolated(crash, limits=FAST)  # type: ignore[arg-type]
    assert run_isolated(len, "still alive", limits=FAST) == 11


def test_memory_beyond_the_limit_is_refused() -> None:
    with pytest.raises(RejectedFile, match="内存"):
        run_isolated(_allocate, limits=Limits(memory_bytes=256 * 1024 * 1024, seconds=10))


@pytest.mark.parametrize("work", [_sleep, _spin], ids=["waiting", "computing"])
def test_a_parse_that_takes_too_long_is_killed(work: object) -> None:
    started = time.monotonic()
    with pytest.raises(RejectedFile, match="处理时间超过1秒"):
        run_isolated(work, limits=Limits(seconds=1))  # type: ignore[arg-type]
    assert time.monotonic() - started < 5


def test_the_readers_own_errors_pass_through_and_others_become_our_message() -> None:
    with pytest.raises(NoticeReadError, match="文件是空的"):
        run_isolated(_raise_read_error, limits=FAST, passthrough=(NoticeReadError,))
    with pytest.raises(RejectedFile, match="文件格式异常，无法读取"):
        run_isolated(_raise_bug, limits=FAST)
    with pytest.raises(RejectedFile, match="嵌套过深"):
        run_isolated(_recurse, limits=FAST)


def test_a_large_result_crosses_the_pipe_whole() -> None:
    rows = run_isolated(lambda: [[str(i)] * 20 for i in range(50_000)], limits=Limits(seconds=20))
    assert len(rows) == 50_000
    assert rows[-1][0] == "49999"
