"""Stream a chat reply from a local Server-Sent Events server through a flow.

A small stand-in for an LLM API runs on loopback (standard library, its own thread): it answers
``POST /v1/chat`` with a ``text/event-stream`` of tokens, then ``data: [DONE]``. In the flow,
``Chat`` is a streaming node that reads the events with ``flowno.http`` and yields each token;
``Show`` consumes that stream and prints every token the moment it arrives.

Run: python examples/sse_chat.py

Prints:
    assistant: Flowno streams this reply token by token.
    tokens: 8
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncGenerator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flowno import FlowHDL, Stream, http, node

REPLY = ["Flowno", " streams", " this", " reply", " token", " by", " token", "."]


class FakeChatAPI(BaseHTTPRequestHandler):
    """Answers POST /v1/chat with one SSE event per token (chunked, a short pause each)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["messages"][-1]["content"]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for token in REPLY:
            self._chunk(f"data: {json.dumps({'token': token})}\n\n")
            time.sleep(0.02)  # the model "thinks"
        self._chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the example's output clean


server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChatAPI)
threading.Thread(target=server.serve_forever, daemon=True).start()
BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"


@node
async def Chat(question: str) -> AsyncGenerator[str, None]:
    """Yield the reply's tokens as the server sends them."""
    timeout = http.Timeout(connect=5, read=30)  # read: the longest pause between events
    async with http.Client(base_url=BASE_URL, timeout=timeout) as client:
        messages = [{"role": "user", "content": question}]
        async with client.stream("POST", "/v1/chat", json={"messages": messages}) as response:
            response.raise_for_status()
            async for event in response.aiter_sse():
                if event.data == "[DONE]":
                    break
                yield event.json()["token"]


@node(stream_in=["tokens"])
async def Show(tokens: Stream[str]) -> int:
    """Print each token as soon as it arrives; return how many there were."""
    print("assistant: ", end="", flush=True)
    count = 0
    async for token in tokens:
        print(token, end="", flush=True)
        count += 1
    print()
    return count


with FlowHDL() as f:
    f.chat = Chat("What does Flowno do?")
    f.show = Show(f.chat)

try:
    f.run_until_complete()
finally:
    server.shutdown()
    server.server_close()
print("tokens:", f.show.get_data()[0])
