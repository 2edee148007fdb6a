"""A Starlette app streams tokens produced by Flowno tasks (aio.stream), tested with httpx's
ASGI transport; Flowno nodes inside call asyncio code with aio.call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from flowno_eventloop import AsyncQueue, aio, sleep, spawn

pytestmark = pytest.mark.usefixtures("no_leaks")


async def shout(word: str) -> str:
    """Plain asyncio code (a stand-in for an SDK call)."""
    await asyncio.sleep(0)
    return word.upper()


async def tokens(prompt: str) -> AsyncIterator[str]:
    """Flowno code: a producer task streams words through a queue, each one shouted by
    asyncio code."""
    queue: AsyncQueue[str] = AsyncQueue(maxsize=1)

    async def producer() -> None:
        for word in prompt.split():
            await sleep(0)
            await queue.put(await aio.call(shout(word)) + " ")
        await queue.close()

    await spawn(producer())
    async for token in queue:
        yield token


async def chat(request: Request) -> StreamingResponse:
    prompt = request.query_params["prompt"]
    return StreamingResponse(aio.stream(tokens(prompt)), media_type="text/plain")


app = Starlette(routes=[Route("/chat", chat)])


def test_a_starlette_endpoint_streams_flowno_tokens() -> None:
    async def client() -> tuple[int, list[str]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            async with http.stream("GET", "/chat", params={"prompt": "hello from flowno"}) as r:
                return r.status_code, [chunk async for chunk in r.aiter_text()]

    status, chunks = asyncio.run(client())
    assert status == 200
    assert "".join(chunks) == "HELLO FROM FLOWNO "
