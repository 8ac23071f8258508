"""Running chunks on an existing Dask cluster (`negsim sweep --scheduler tcp://HOST:PORT`).

negsim starts no cluster: users start one by hand (``dask scheduler`` and ``dask worker``), on
SLURM/PBS with dask-jobqueue or on Kubernetes with dask-kubernetes. Workers need negsim (and
its dependencies) importable; they read no files, since every chunk carries its cast. The
client (the `negsim sweep` process) keeps a bounded number of chunks in flight and writes the
results itself, so progress, Ctrl-C and resume behave as on the local pool.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from negsim.errors import InputError
from negsim.experiment.executors import MAX_ATTEMPTS
from negsim.experiment.tasks import Chunk, ChunkResult, lost_chunk, run_chunk

SCHEMES = ("tcp", "tls", "ws", "wss")
CONNECT_TIMEOUT = 3.0  # seconds to reach the scheduler before giving up


def check_address(address: str) -> str:
    """The address with its scheme (``tcp://`` by default); InputError when malformed."""
    full = address if "://" in address else f"tcp://{address}"
    problem = f"--scheduler: expected SCHEME://HOST:PORT (scheme one of {', '.join(SCHEMES)})"
    try:
        parts = urlsplit(full)
        port = parts.port
    except ValueError:
        raise InputError(f"{problem}, got {address!r}") from None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or port == 0:
        raise InputError(f"{problem}, got {address!r}")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise InputError(f"{problem}, got {address!r}")
    return full


def _probe(address: str, timeout: float) -> None:
    """Fail fast, with the system's reason, when nothing listens at the address."""
    parts = urlsplit(address)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or exc
        raise InputError(f"--scheduler {address}: cannot connect ({reason})") from None


def _lost_with_worker(future: Any) -> bool:
    """The task died with its worker(s), or was dropped by the scheduler."""
    from distributed.scheduler import KilledWorker

    return future.status == "cancelled" or isinstance(future.exception(), KilledWorker)


class DaskExecutor:
    """Chunks as tasks on a Dask cluster; the cluster is the user's and stays up afterwards.

    A chunk whose worker dies is rescheduled by Dask (and resubmitted here if Dask gives up on
    it); after `MAX_ATTEMPTS` submissions its runs are recorded as failed.

    Args:
        address: the scheduler, e.g. ``tcp://10.0.0.5:8786``.
        timeout: seconds to reach it.
        in_flight: chunks queued per worker thread.

    Raises:
        InputError: a malformed address, an unreachable scheduler, or no Dask installed.
    """

    def __init__(self, address: str, timeout: float = CONNECT_TIMEOUT, in_flight: int = 3):
        address = check_address(address)
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler: needs Dask's distributed package: pip install 'negsim[cluster]'"
            ) from None
        _probe(address, timeout)
        # Built in two steps so that a failed start can be closed at once (else the half-made
        # client's finalizer blocks the exit for 10 s).
        client = Client.__new__(Client)
        try:
            client.__init__(address, timeout=timeout, set_as_default=False)
        except Exception as exc:
            client.close(timeout=1)
            raise InputError(
                f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        self._client = client
        self._per_thread = max(1, in_flight)
        self._pending: dict[Any, tuple[Chunk, int]] = {}
        self._checked = 0.0
        self.workers = self._threads()
        if self.workers == 0:
            print(
                f"note: the scheduler at {address} has no workers yet; chunks wait for them",
                file=sys.stderr,
            )

    def _threads(self) -> int:
        self._checked = time.monotonic()
        return sum(self._client.nthreads().values())

    def _in_flight(self) -> int:
        if time.monotonic() - self._checked > 1.0:  # clusters grow and shrink
            self.workers = self._threads()
        return self._per_thread * max(1, self.workers)

    def map_chunks(self, chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
        """Submit chunks as earlier ones finish; yield results in completion order."""
        from distributed import as_completed

        pending = self._pending
        todo = iter(chunks)
        running = as_completed(loop=self._client.loop)

        def submit(chunk: Chunk, attempt: int) -> None:
            future = self._client.submit(run_chunk, chunk, pure=False)
            pending[future] = (chunk, attempt)
            running.add(future)

        def top_up() -> None:
            while len(pending) < self._in_flight():
                chunk = next(todo, None)
                if chunk is None:
                    return
                submit(chunk, 1)

        try:
            top_up()
            for future in running:
                chunk, attempt = pending.pop(future)
                if future.status == "finished":
                    yield future.result()
                elif _lost_with_worker(future):
                    if attempt >= MAX_ATTEMPTS:
                        yield lost_chunk(chunk, f"worker died ({attempt} submissions to Dask)")
                    else:
                        submit(chunk, attempt + 1)
                else:
                    exc = future.exception()
                    raise InputError(
                        f"a chunk failed on the Dask cluster ({type(exc).__name__}: {exc}); "
                        "is the same negsim installed on every worker?"
                    )
                top_up()
        except KeyboardInterrupt:
            for future in [f for f in pending if f.status == "finished"]:
                pending.pop(future)
                yield future.result()
            raise

    def close(self) -> None:
        """Cancel the chunks still queued or running and disconnect; the cluster stays up."""
        if self._pending:
            self._client.cancel(list(self._pending), force=True)
            self._pending.clear()
        self._client.close()
