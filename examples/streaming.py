"""A streaming node feeding a stream_in consumer, which sees each item as it is produced.

Run: python examples/streaming.py

Prints:
    got stream
    got me
    got along
    final: ('STREAM ME ALONG ',)
"""

from collections.abc import AsyncGenerator

from flowno import FlowHDL, Stream, node


@node
async def Words() -> AsyncGenerator[str, None]:
    for word in ("stream", "me", "along"):
        yield word + " "


@node(stream_in=["words"])
async def Shout(words: Stream[str]) -> str:
    out = ""
    async for word in words:
        print("got", word.strip())
        out += word.upper()
    return out


with FlowHDL() as f:
    f.words = Words()
    f.shout = Shout(f.words)

f.run_until_complete()
print("final:", f.shout.get_data())
