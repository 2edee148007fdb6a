"""A FastAPI endpoint streams a flow's tokens; a node of the flow awaits asyncio code.

The flow runs in guest mode on FastAPI's own asyncio loop (``aio.stream``), and its node
calls plain asyncio code (here a stand-in for an SDK call) with ``aio.call``.

Run: python examples/asyncio_fastapi.py   (asks its own app once, through httpx)
Serve it: uvicorn asyncio_fastapi:app --app-dir examples   (needs uvicorn), then open
    http://127.0.0.1:8000/chat?prompt=hello

Needs: pip install fastapi httpx

Prints:
    status 200
    HELLO FROM A FLOW INSIDE FASTAPI
"""

import asyncio
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from flowno import AsyncQueue, FlowHDL, Stream, aio, node, spawn


async def shout(word: str) -> str:
    """Plain asyncio code: an SDK or HTTP call in a real application."""
    await asyncio.sleep(0)
    return word.upper()


@node
async def Words(prompt: str) -> AsyncIterator[str]:
    for word in prompt.split():  # a streaming node: one word at a time
        yield word


def reply_flow(prompt: str, tokens: AsyncQueue[str]) -> FlowHDL:
    @node(stream_in=["words"])
    async def Speak(words: Stream[str]) -> None:
        async for word in words:  # each word as soon as it is produced
            await tokens.put(await aio.call(shout(word)) + " ")

    with FlowHDL() as f:
        f.words = Words(prompt)
        f.speak = Speak(f.words)
    return f


async def reply_tokens(prompt: str) -> AsyncIterator[str]:
    """Flowno code: run the flow and yield its tokens while it runs."""
    tokens: AsyncQueue[str] = AsyncQueue()
    flow = reply_flow(prompt, tokens)

    async def run_flow() -> None:
        try:
            await flow.run_async()
        finally:
            await tokens.close()

    await spawn(run_flow())
    async for token in tokens:
        yield token


app = FastAPI()


@app.get("/chat")
async def chat(prompt: str) -> StreamingResponse:
    return StreamingResponse(aio.stream(reply_tokens(prompt)), media_type="text/plain")


async def ask_once() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://example") as client:
        prompt = {"prompt": "hello from a flow inside fastapi"}
        async with client.stream("GET", "/chat", params=prompt) as response:
            print("status", response.status_code)
            print("".join([chunk async for chunk in response.aiter_text()]).strip())


if __name__ == "__main__":
    asyncio.run(ask_once())
