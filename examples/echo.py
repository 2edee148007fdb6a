"""A TCP echo server and client on one event loop (loopback, ephemeral port).

Run: python examples/echo.py

Prints:
    server: peer is 127.0.0.1
    client: b'PING'
    client: b'PONG'
    server finished
"""

from flowno import EventLoop, SocketHandle, socket, spawn


async def serve_once(listener: SocketHandle) -> str:
    conn, addr = await listener.accept()
    print("server: peer is", addr[0])
    while True:
        data = await conn.recv(64)
        if not data:
            break
        await conn.sendAll(data.upper())
    conn.socket.close()
    return "server finished"


async def client(port: int) -> None:
    sock = socket()
    sock.connect(("127.0.0.1", port))  # the documented connect: blocking
    for word in (b"ping", b"pong"):
        await sock.sendAll(word)
        print("client:", await sock.recv(64))
    sock.socket.close()


async def main() -> None:
    listener = socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.socket.getsockname()[1]
    server = await spawn(serve_once(listener))
    await client(port)
    print(await server.join())
    listener.socket.close()


EventLoop().run_until_complete(main())
