"""@node(executor=DaskExecutor(...)): a flow whose node bodies run on a real Dask cluster."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

distributed = pytest.importorskip("distributed")

from flowno_eventloop.executors import DaskExecutor  # noqa: E402
from flowno_flow import FlowHDL, node  # noqa: E402


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[DaskExecutor]:
    cluster = distributed.LocalCluster(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield DaskExecutor(client)


@node
async def Words() -> list[str]:
    return ["dask", "runs", "this"]


def test_a_node_body_runs_on_a_dask_worker(dask_executor: DaskExecutor) -> None:
    """The node is defined here, in a function: Dask's cloudpickle sends it by value."""

    @node(executor=dask_executor)
    def Shout(words: list[str], mark: str = "!") -> tuple[str, str]:
        return " ".join(w.upper() for w in words) + mark, threading.current_thread().name

    with FlowHDL() as f:
        f.words = Words()
        f.shout = Shout(f.words)
    f.run_until_complete()
    ((text, thread_name),) = f.shout.get_data() or (("", ""),)
    assert text == "DASK RUNS THIS!"
    assert thread_name != threading.current_thread().name
