#!/usr/bin/env python3
"""A small delaying TCP proxy for benchmarks (this kernel has no netem).

    delay_proxy.py --rtt-ms 50 LISTEN_PORT:TARGET_PORT [...]

Listens on 127.0.0.1:LISTEN_PORT and forwards to 127.0.0.1:TARGET_PORT. Every
chunk of bytes is held rtt/2 before it is passed on, in each direction, so an
application round trip (ClientHello out, ServerHello back) costs one extra RTT.
Order and end-of-stream are kept: a close travels with the same delay.

The proxy also delays the *upstream* connect by rtt (the TCP handshake it
stands in for), and only then starts passing bytes; a closed upstream port is
seen by the client as a reset after one RTT. What it cannot delay is the
client's own connect() to the proxy: the kernel completes that handshake
before accept(). So each new connection costs 2 RTT (connect + hello) as in
real life, except that the client's connect() returns at once.
"""
import argparse
import asyncio
import socket
import sys


async def pipe(reader, writer, delay, loop):
    """Copies reader to writer, each chunk released `delay` seconds after it arrived."""
    queue = asyncio.Queue()

    async def pump_in():
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((loop.time() + delay, data))
                if not data:
                    return
        except (ConnectionError, OSError):
            await queue.put((loop.time() + delay, None))

    async def pump_out():
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:          # reset: abort the other side
                    writer.transport.abort()
                    return
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass

    await asyncio.gather(pump_in(), pump_out())


def abort(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
    writer.transport.abort()


async def handle(creader, cwriter, target, rtt):
    loop = asyncio.get_running_loop()
    await asyncio.sleep(rtt)              # the upstream TCP handshake
    try:
        ureader, uwriter = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        abort(cwriter)                    # a closed port: the client sees a reset
        return
    try:
        await asyncio.gather(pipe(creader, uwriter, rtt / 2, loop), pipe(ureader, cwriter, rtt / 2, loop))
    finally:
        for w in (cwriter, uwriter):
            try:
                w.close()
            except Exception:
                pass


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtt-ms", type=float, default=50.0)
    ap.add_argument("maps", nargs="+", help="LISTEN_PORT:TARGET_PORT")
    a = ap.parse_args()
    rtt = a.rtt_ms / 1000.0
    servers = []
    for m in a.maps:
        lp, tp = (int(x) for x in m.split(":"))
        servers.append(await asyncio.start_server(
            lambda r, w, tp=tp: handle(r, w, tp, rtt), "127.0.0.1", lp, backlog=4096))
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
