"""Bounded workers for the routes' blocking jobs, so the event loop that answers stations never waits.

Two kinds of job, two workers:

- :class:`ProcessWorker` parses untrusted uploads in a child process, at most ``max_workers`` at once,
  and kills the child past ``timeout_s``. A process, not a thread: only a process can really be stopped
  mid-parse (a thread cannot be killed), it does not hold the server's GIL while lxml and openpyxl
  churn, and its memory (capped by ``RLIMIT_AS``) is returned when it exits. Children come from a
  ``forkserver`` that preloads the readers: a clean single-threaded parent (forking the server itself,
  with its threads and sockets, is unsafe) and ~10 ms per job instead of a fresh interpreter's ~1 s.
  A supervising thread per job waits on the child's pipe; an ``anyio`` capacity limiter bounds them.
- :class:`ThreadWorker` runs trusted CPU work (evaluating stored car parks, rendering reports and
  notices) on at most ``max_workers`` threads: its inputs were bounded at import, and shipping 100k
  results to a process would cost what the work does. Python switches threads every 5 ms, so the
  loop keeps answering heartbeats.

Limiters are made per event loop (lazily): the routers are built at import, before any loop runs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from compliance.errors import RegisterError, RegisterLimitError, UnreadableRegisterError
from compliance.importers import ImportResult

T = TypeVar("T")

#: Records per message from a child: a few milliseconds of unpickling each.
_TRANSFER_CHUNK = 1_000

#: How much lower a parsing child runs than the server (``nice`` increment).
CHILD_NICENESS = 10

#: Modules the forkserver imports once, so that each child starts warm.
PRELOAD = ["compliance.register_files", "openpyxl", "openpyxl.reader.excel"]


class _Limiters:
    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self._by_loop: weakref.WeakKeyDictionary[AbstractEventLoop, CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )

    def current(self) -> CapacityLimiter:
        loop = get_running_loop()
        limiter = self._by_loop.get(loop)
        if limiter is None:
            limiter = self._by_loop[loop] = CapacityLimiter(self.max_workers)
        return limiter


class ThreadWorker:
    """Trusted blocking work on at most ``max_workers`` threads."""

    def __init__(self, max_workers: int = 2) -> None:
        self._limiters = _Limiters(max_workers)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs), limiter=self._limiters.current())


def _child(conn: Connection, memory_bytes: int | None, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Child process body: run ``fn(*args)``, send back ("ok", value) or a register error's parts."""
    # Below the server in the scheduler: on a busy machine the stations' event loop is served first.
    os.nice(CHILD_NICENESS)
    if memory_bytes is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        value = fn(*args)
        if isinstance(value, ImportResult):
            # In chunks: the parent unpickles each message holding the GIL, so one 100k-record
            # message would stall the server's event loop for a second; a chunk takes milliseconds.
            records, value.records = value.records, []
            for start in range(0, len(records), _TRANSFER_CHUNK):
                conn.send(("records", records[start : start + _TRANSFER_CHUNK]))
        conn.send(("ok", value))
    except RegisterLimitError as exc:  # sent as parts: exceptions with extra __init__ args do not unpickle
        conn.send(("limit", *exc.parts))
    except UnreadableRegisterError as exc:
        conn.send(("unreadable", exc.message_en, exc.message_zh))
    except RegisterError as exc:
        conn.send(("register", exc.message_en, exc.message_zh))
    except MemoryError:
        conn.send(("limit", "max_memory_bytes", "the file needs too much memory", "文件所需内存过多"))
    finally:
        conn.close()


class ProcessWorker:
    """Untrusted parsing in killable child processes: at most ``max_workers`` at once, ``timeout_s`` each.

    Parameters
    ----------
    max_workers : int
        Children alive at once; further jobs wait their turn.
    timeout_s : float
        Wall time a child may run [s] before it is killed (RegisterLimitError ``time_limit_s``).
    memory_bytes : int or None
        Address-space cap of a child [bytes] (``RLIMIT_AS``); ``None``: no cap.
    """

    def __init__(
        self, max_workers: int = 2, timeout_s: float = 60.0, memory_bytes: int | None = 2 << 30
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._limiters = _Limiters(max_workers)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a child process; ``fn`` and its arguments must pickle (a module function).

        Raises the register errors ``fn`` raised, RegisterLimitError ``time_limit_s`` past the timeout,
        or RuntimeError when the child died without an answer.
        """
        return await anyio.to_thread.run_sync(
            partial(self._supervise, fn, args), limiter=self._limiters.current()
        )

    def _supervise(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(send, self.memory_bytes, fn, args), daemon=True)
        child.start()
        send.close()
        try:
            if not receive.poll(self.timeout_s):
                child.kill()
                raise RegisterLimitError(
                    "time_limit_s",
                    f"reading took longer than {self.timeout_s:g} s",
                    f"读取超过时限 {self.timeout_s:g} 秒",
                )
            records: list[Any] = []
            while True:
                try:
                    answer = receive.recv()
                except EOFError:
                    raise RuntimeError(f"the worker process died (exit code {child.exitcode})") from None
                if answer[0] != "records":
                    break
                records.extend(answer[1])
                time.sleep(0)  # let the event loop's thread take the GIL between chunks
        finally:
            receive.close()
            child.join(5.0)
            if child.is_alive():
                child.kill()
                child.join()
        kind, *rest = answer
        if kind == "ok":
            value: T = rest[0]
            if isinstance(value, ImportResult):
                value.records = records
            return value
        if kind == "limit":
            raise RegisterLimitError(*rest)
        if kind == "unreadable":
            raise UnreadableRegisterError(*rest)
        raise RegisterError(*rest)
