"""The meta package re-exports flowno-net's streams, servers and HTTP client as the same objects,
and ``pip install flowno`` brings the HTTP extra."""

from __future__ import annotations

import importlib.metadata

import flowno
import flowno_net
import flowno_net.http


def test_stream_and_server_names_are_the_library_objects() -> None:
    for name in (
        "IncompleteReadError",
        "LimitOverrunError",
        "Server",
        "SocketStream",
        "open_connection",
        "serve",
        "serve_listener",
        "start_server",
    ):
        assert getattr(flowno, name) is getattr(flowno_net, name), name
        assert name in flowno.__all__


def test_http_is_the_library_module() -> None:
    assert flowno.http is flowno_net.http
    assert flowno.http.Client is flowno_net.http.Client
    assert "http" in flowno.__all__


def test_the_meta_package_requires_the_http_extra() -> None:
    requirements = importlib.metadata.requires("flowno") or []
    assert any(r.startswith("flowno-net[http]") for r in requirements), requirements
    importlib.import_module("h11")
