"""Cluster executors: ``DaskExecutor`` and ``RayExecutor`` (``concurrent.futures.Executor``s).

Rules of this module:
- Dask (``distributed``) and Ray are imported only when an executor first needs them, never
  by ``import flowno_eventloop``; a missing one raises ImportError naming the extra
  (``flowno-eventloop[dask]``, ``flowno-eventloop[ray]``).
- ``submit`` returns a plain ``concurrent.futures.Future`` bridged to the engine's future:
  the engine's outcome completes it (an error with the remote traceback text as a note), and
  cancelling it cancels the engine's task (for Ray, ``ray.cancel`` stops a running task too).
- The bridge future stays pending until the engine reports, so ``cancel()`` always reaches
  the engine; an outcome that arrives after a cancel is dropped.
- Resources and other per-call options are fixed per executor; ``options(...)`` derives an
  executor with some of them changed (sharing the connection).
"""

from __future__ import annotations

import concurrent.futures
import copy
import functools
import importlib
import re
import threading
import traceback
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from typing_extensions import ParamSpec, Self

from flowno_eventloop._futures import add_remote_traceback

__all__ = ["DaskExecutor", "RayExecutor"]

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _require(module: str, extra: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is not installed; install the extra: pip install 'flowno-eventloop[{extra}]'"
        ) from exc


def _bridge(
    foreign: Any, settle: Callable[[Any], Any], cancel_remote: Callable[[], object]
) -> concurrent.futures.Future[Any]:
    """A Future completed by ``settle(foreign)`` once ``foreign`` is done (``settle`` returns
    the result or raises); cancelling it calls ``cancel_remote``."""
    bridge: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def foreign_done(_: object) -> None:
        try:
            result = settle(foreign)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the bridge
            _complete(bridge.set_exception, exc)
        else:
            _complete(bridge.set_result, result)

    def bridge_done(done: concurrent.futures.Future[Any]) -> None:
        if done.cancelled():
            cancel_remote()

    bridge.add_done_callback(bridge_done)
    foreign.add_done_callback(foreign_done)
    return bridge


def _complete(setter: Callable[[Any], None], value: Any) -> None:
    try:
        setter(value)
    except concurrent.futures.InvalidStateError:
        pass  # the bridge was cancelled first: the late outcome is dropped


class DaskExecutor(concurrent.futures.Executor):
    """Run functions on a Dask ``distributed`` cluster.

    Args:
        address_or_client: A ``distributed.Client``, a scheduler address
            (``"tcp://host:8786"``) or None for a new local cluster. An address or None is
            connected on the first ``submit``; a client made here is closed by ``shutdown``.
        resources: Dask worker resources each call needs (``{"GPU": 1}``); the workers
            must declare them.
        **submit_options: Other ``Client.submit`` options (``retries``, ``priority``,
            ``workers``, ``allow_other_workers``...).

    Example:
        >>> from flowno_eventloop.executors import DaskExecutor
        >>> gpu = DaskExecutor("tcp://127.0.0.1:8786", resources={"GPU": 1})
        >>> gpu.options(priority=10).submit_options
        {'resources': {'GPU': 1}, 'priority': 10}
    """

    def __init__(
        self,
        address_or_client: Any = None,
        *,
        resources: dict[str, float] | None = None,
        **submit_options: Any,
    ) -> None:
        self._connection = _DaskConnection(address_or_client)
        self.submit_options: dict[str, Any] = dict(submit_options)
        if resources is not None:
            self.submit_options = {"resources": dict(resources), **self.submit_options}

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connected on first access if given as an address."""
        return self._connection.client()

    def options(self, **submit_options: Any) -> Self:
        """A DaskExecutor on the same client with some ``Client.submit`` options changed.

        Example:
            >>> from flowno_eventloop.executors import DaskExecutor
            >>> DaskExecutor(retries=2).options(retries=0).submit_options
            {'retries': 0}
        """
        return _derived(self, submit_options={**self.submit_options, **submit_options})

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        """Submit ``fn(*args, **kwargs)`` to the cluster (``pure=False``: every call runs).

        Example:
            >>> from flowno_eventloop.executors import DaskExecutor
            >>> callable(DaskExecutor().submit)
            True
        """
        call = functools.partial(fn, **kwargs) if kwargs else fn
        options = {"pure": False, **self.submit_options}
        client = self.client
        foreign = client.submit(call, *args, **options)
        # Cancel from Dask's own event loop: no thread waits for the scheduler's answer.
        cancel = functools.partial(client.cancel, [foreign], asynchronous=True)
        return _bridge(foreign, _dask_outcome, functools.partial(client.loop.add_callback, cancel))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Close the client if this executor (or the one it derives from) created it.

        Example:
            >>> from flowno_eventloop.executors import DaskExecutor
            >>> DaskExecutor().shutdown()  # never connected: nothing to close
        """
        self._connection.close()


class _DaskConnection:
    """The client of a DaskExecutor and of the executors derived from it (shared)."""

    def __init__(self, address_or_client: Any) -> None:
        self._target = address_or_client
        given = not isinstance(address_or_client, (str, type(None)))
        self._client: Any = address_or_client if given else None
        self._owned = not given
        self._lock = threading.Lock()

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                distributed = _require("distributed", "dask")
                self._client = distributed.Client(self._target)
            return self._client

    def close(self) -> None:
        with self._lock:
            client = self._client
            if self._owned:
                self._client = None
        if client is not None and self._owned:
            client.close()


_E = TypeVar("_E")


def _derived(executor: _E, **changes: Any) -> _E:
    """A shallow copy of ``executor`` (sharing its connection) with attributes changed."""
    derived = copy.copy(executor)
    derived.__dict__.update(changes)
    return derived


def _dask_outcome(foreign: Any) -> Any:
    if foreign.status == "error":
        exc: BaseException = foreign.exception()
        text = "".join(traceback.format_exception(type(exc), exc, foreign.traceback()))
        raise add_remote_traceback(exc, text)
    if foreign.cancelled():
        raise concurrent.futures.CancelledError(f"Dask task {foreign.key} was cancelled")
    return foreign.result()


class RayExecutor(concurrent.futures.Executor):
    """Run functions as Ray tasks.

    Args:
        address: The Ray cluster to join (``"auto"``, ``"ray://host:10001"``) or None for
            the one already initialised in this process, else a new local one. ``ray.init``
            is called on the first ``submit`` if Ray is not initialised yet.
        **ray_remote_options: Options of ``ray.remote`` for every call: ``num_cpus``,
            ``num_gpus``, ``resources``, ``memory``, ``max_retries``...

    Example:
        >>> from flowno_eventloop.executors import RayExecutor
        >>> gpu = RayExecutor(num_gpus=1)
        >>> gpu.options(resources={"TPU": 1}).ray_remote_options
        {'num_gpus': 1, 'resources': {'TPU': 1}}
    """

    def __init__(self, address: str | None = None, **ray_remote_options: Any) -> None:
        self.address = address
        self.ray_remote_options: dict[str, Any] = dict(ray_remote_options)
        self._remote_functions: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def options(self, **ray_remote_options: Any) -> Self:
        """A RayExecutor on the same cluster with some ``ray.remote`` options changed.

        Example:
            >>> from flowno_eventloop.executors import RayExecutor
            >>> RayExecutor(num_cpus=2).options(num_cpus=1).ray_remote_options
            {'num_cpus': 1}
        """
        return _derived(self, ray_remote_options={**self.ray_remote_options, **ray_remote_options})

    def _remote(self, ray: Any, fn: Callable[..., Any]) -> Any:
        with self._lock:
            try:
                remote = self._remote_functions.get(fn)
            except TypeError:  # not weakly referenceable: no cache
                return ray.remote(fn)
            if remote is None:
                remote = self._remote_functions[fn] = ray.remote(fn)
            return remote

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        """Submit ``fn(*args, **kwargs)`` as a Ray task with this executor's options.

        Example:
            >>> from flowno_eventloop.executors import RayExecutor
            >>> callable(RayExecutor().submit)
            True
        """
        ray = _require("ray", "ray")
        if not ray.is_initialized():
            ray.init(address=self.address)
        remote = self._remote(ray, fn)
        if self.ray_remote_options:
            remote = remote.options(**self.ray_remote_options)
        ref = remote.remote(*args, **kwargs)
        return _bridge(ref.future(), _ray_outcome, functools.partial(ray.cancel, ref))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to release: the Ray runtime belongs to the process (``ray.shutdown()``).

        Example:
            >>> from flowno_eventloop.executors import RayExecutor
            >>> RayExecutor().shutdown()
        """


def _ray_outcome(foreign: concurrent.futures.Future[Any]) -> Any:
    try:
        return foreign.result()
    except BaseException as exc:
        if any(cls.__name__ == "RayTaskError" for cls in type(exc).__mro__):
            # Its message is the worker's traceback (with terminal colours).
            add_remote_traceback(exc, _ANSI_ESCAPE.sub("", str(exc)))
        raise


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
