"""Executors: where chunks of runs are computed. The runner only needs `Executor.map_chunks`.

`SerialExecutor` runs chunks in this process; `LocalExecutor` on a pool of local processes
(one pool, reused for every chunk: `import mesa` forces the spawn start method, so each new
worker costs about a second of imports). `negsim.experiment.cluster.DaskExecutor` runs them on
a Dask cluster through the same interface.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from negsim.experiment.tasks import Chunk, ChunkResult, lost_chunk, run_chunk

MAX_ATTEMPTS = 3  # times a chunk may lose its worker before its runs are recorded failed


class Executor(Protocol):
    """Computes chunks of runs, yielding each finished chunk's result as soon as it is done."""

    workers: int

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """Run the chunks, in any order; yield their results as they finish.

        On KeyboardInterrupt, results already finished are still yielded before it propagates.
        """
        ...

    def close(self) -> None:
        """Stop at once, abandoning unfinished chunks, and free the workers."""
        ...


class SerialExecutor:
    """Runs chunks one after the other in the calling process."""

    workers = 1

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """Run the chunks in order."""
        for chunk in chunks:
            yield run_chunk(chunk)

    def close(self) -> None:
        """Nothing to free."""


PARENT_POLL_SECONDS = 0.5  # how often a worker checks that its driver is still alive
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(parent: int) -> None:
    """Set up a pool worker: deaf to Ctrl-C, and bound to die with the driver.

    Ctrl-C reaches the whole process group; only the driver decides what to keep. A driver
    killed outright (SIGKILL, out of memory) cannot stop its workers, so each worker asks the
    kernel for SIGKILL when its parent dies (Linux) and also watches its parent's pid.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the driver died before this worker got here
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the watcher thread still works
        pass


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


class LocalExecutor:
    """A pool of local worker processes, kept busy with a bounded number of chunks in flight.

    A worker process that dies (killed, out of memory) breaks the pool: the pool is rebuilt and
    the chunks it held are run again; a chunk whose worker dies `MAX_ATTEMPTS` times is recorded
    as failed runs. Workers die with the driver, even when it is killed outright.

    Args:
        workers: number of processes (default: all cores).
        in_flight: chunks queued per worker, so none idles while the driver writes.
    """

    def __init__(self, workers: int | None = None, in_flight: int = 2):
        self.workers = workers or os.cpu_count() or 1
        self._in_flight = max(1, in_flight) * self.workers
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """Submit chunks as earlier ones finish; yield results in completion order."""
        pending: dict[cf.Future, tuple[Chunk, int]] = {}
        retry: list[tuple[Chunk, int]] = []
        todo = iter(chunks)

        def settle(future: cf.Future) -> Iterator[ChunkResult]:
            chunk, attempt = pending.pop(future)
            if future.cancelled():
                retry.append((chunk, attempt))
            elif isinstance(future.exception(), BrokenProcessPool):
                if attempt >= MAX_ATTEMPTS:
                    yield lost_chunk(chunk, f"worker process died ({attempt} attempts)")
                else:
                    retry.append((chunk, attempt + 1))
            else:
                yield future.result()

        try:
            while True:
                while len(pending) < self._in_flight:
                    chunk, attempt = retry.pop() if retry else (next(todo, None), 1)
                    if chunk is None:
                        break
                    pending[self._pool.submit(run_chunk, chunk)] = (chunk, attempt)
                if not pending:
                    return
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
                if broken:  # settle every chunk of the dead pool before building a new one
                    self._pool.shutdown(wait=True, cancel_futures=True)
                    done = set(pending)
                for future in done:
                    yield from settle(future)
                if broken:
                    self._pool = self._new_pool()
        except KeyboardInterrupt:
            finished = [f for f in pending if f.done() and not f.cancelled()]
            for future in finished:
                if future.exception() is None:
                    yield future.result()
            raise

    def close(self) -> None:
        """Cancel queued chunks and terminate the workers."""
        # ProcessPoolExecutor has no public terminate before Python 3.14.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)


def make_executor(workers: int | None) -> Executor:
    """The local executor for ``workers`` processes (1: in this process)."""
    if workers == 1:
        return SerialExecutor()
    return LocalExecutor(workers)


def executor_for(workers: int | None, scheduler: str | None) -> Executor:
    """The Dask cluster at ``scheduler`` if one is given, else `make_executor`."""
    if scheduler is not None:
        from negsim.experiment.cluster import DaskExecutor

        return DaskExecutor(scheduler)
    return make_executor(workers)
