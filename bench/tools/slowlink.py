#!/usr/bin/env python3
"""A TCP proxy that behaves like a wide-area link to an object store: every
byte is delayed by half the round-trip time in each direction, and the
server-to-client direction of all connections together is capped at one
bandwidth, as on a single uplink. bench/run.sh --link puts it between the
restore tools and the S3 server, so the peer's download (curl) and
pgshuttle's ranged reads cross the same link.

The host's kernel has no netem queueing discipline (tc qdisc netem/prio are
unavailable in this container), hence a userspace proxy.

usage: slowlink.py LISTEN_PORT TARGET_HOST:PORT MBIT_PER_S RTT_MS
Prints "ready" on stdout once listening."""
import asyncio
import sys
import time

CHUNK = 64 * 1024


class Bucket:
    """Token bucket shared by every connection's download direction."""

    def __init__(self, bytes_per_s):
        self.rate = bytes_per_s
        self.next_free = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n):
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next_free)
            self.next_free = start + n / self.rate
            wait = self.next_free - now
        if wait > 0:
            await asyncio.sleep(wait)


async def pipe(reader, writer, delay, bucket):
    queue = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(CHUNK)
            await queue.put((time.monotonic() + delay, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            if not data:
                break
            if bucket:
                await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    try:
        await asyncio.gather(read(), write())
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    listen_port = int(sys.argv[1])
    host, port = sys.argv[2].rsplit(':', 1)
    bucket = Bucket(float(sys.argv[3]) * 1e6 / 8)
    delay = float(sys.argv[4]) / 2000.0

    async def handle(client_r, client_w):
        try:
            server_r, server_w = await asyncio.open_connection(host, int(port))
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, server_w, delay, None),
                             pipe(server_r, client_w, delay, bucket))

    server = await asyncio.start_server(handle, '127.0.0.1', listen_port)
    print('ready', flush=True)
    async with server:
        await server.serve_forever()


if __name__ == '__main__':
    asyncio.run(main())
