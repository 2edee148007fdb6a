"""Executors for clusters: run node bodies and plain functions on Dask or Ray.

Both are ``concurrent.futures.Executor`` s, so they work with
:func:`~flowno_eventloop.run_in_executor` (and ``@node(executor=...)``). Dask and Ray are
imported only when an executor is first used; install them with the extras
``flowno-eventloop[dask]`` / ``flowno-eventloop[ray]``.

>>> import sys
>>> from flowno_eventloop.executors import DaskExecutor, RayExecutor
>>> cpu_heavy = RayExecutor(num_cpus=2)
>>> "ray" in sys.modules and "distributed" in sys.modules  # nothing imported yet
False
"""

from flowno_eventloop._remote import DaskExecutor, RayExecutor

__all__ = ["DaskExecutor", "RayExecutor"]
