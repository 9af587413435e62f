#!/usr/bin/env python3
"""Slowloris and connection flood against a real gptom-mock process, at scale.

    python3 reliability/connections.py [BINARY] [--slow 2000] [--flood 5000]

1. Slowloris: SLOW connections each send half a request head, then one byte a second. The mock must
   close every one of them within its header timeout (plus a margin), while a normal client polling
   /__mock/health every 100 ms is served throughout.
2. Flood: FLOOD connections opened as fast as possible and held silent, far past --max-connections
   (on a mock with a 10 s header timeout, so that the cap is really reached). Those past the cap
   must be closed at once, the silent ones within the header timeout, and the normal client must
   be served again once they are gone.

Prints the figures the README's reliability section quotes; exits 1 when a promise is broken.
cargo test runs the same behaviour at small scale (mock-server/tests/api/connections.rs).
"""

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time

HEADER_TIMEOUT_S = 2
# The flood gets a longer header timeout, so that all its connections are open before the first
# ones time out and the cap is really reached.
FLOOD_HEADER_TIMEOUT_S = 10
MAX_CONNECTIONS = 1000


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, wanted)) if hard != resource.RLIM_INFINITY else max(soft, wanted)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


async def health(port: int) -> float | None:
    """One /__mock/health on a fresh connection: seconds taken, or None when not served."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
        writer.write(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(64), 2)
        writer.close()
        return time.monotonic() - started if answer.startswith(b"HTTP/1.1 200") else None
    except (OSError, asyncio.TimeoutError):
        return None


async def normal_client(port: int, stop: asyncio.Event, results: list) -> None:
    while not stop.is_set():
        results.append(await health(port))
        await asyncio.sleep(0.1)


async def slow_connection(port: int, closed_after: list) -> None:
    """Half a head, then a byte a second until the mock closes the connection."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        closed_after.append(0.0)
        return
    started = time.monotonic()
    writer.write(b"GET /__mock/health HTTP/1.1\r\nHo")
    try:
        while time.monotonic() - started < 30:
            await writer.drain()
            try:
                data = await asyncio.wait_for(reader.read(1), 1)
                if data == b"":
                    break
            except asyncio.TimeoutError:
                writer.write(b"s")
    except OSError:
        pass
    closed_after.append(time.monotonic() - started)
    writer.close()


async def silent_connection(port: int, closed_after: list) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        closed_after.append(0.0)
        return
    started = time.monotonic()  # from the moment the connection is open
    try:
        await asyncio.wait_for(reader.read(1), 30)
    except (OSError, asyncio.TimeoutError):
        pass
    closed_after.append(time.monotonic() - started)
    writer.close()


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return f"{name}: none"
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"{name}: {len(values)}, closed after median {p(0.5):.2f} s, p99 {p(0.99):.2f} s, max {values[-1]:.2f} s"


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default="target/release/gptom-mock")
    parser.add_argument("--slow", type=int, default=2000)
    parser.add_argument("--flood", type=int, default=5000)
    args = parser.parse_args()
    raise_fd_limit(args.slow + args.flood + 1000)

    mocks = []

    def start_mock(header_timeout: int) -> int:
        workdir = tempfile.mkdtemp()
        port_file = os.path.join(workdir, "port")
        mocks.append(subprocess.Popen(
            [args.binary, "--port", "0", "--port-file", port_file, "--log-level", "error",
             "--header-timeout", str(header_timeout), "--max-connections", str(MAX_CONNECTIONS)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        for _ in range(500):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.02)
        return int(open(port_file).read().strip())

    failures = []
    try:
        port = start_mock(HEADER_TIMEOUT_S)
        # 1. Slowloris under the cap, with a normal client beside it.
        stop = asyncio.Event()
        served: list = []
        normal = asyncio.create_task(normal_client(port, stop, served))
        closed: list = []
        started = time.monotonic()
        slow_count = min(args.slow, MAX_CONNECTIONS - 50)
        rounds = max(1, -(-args.slow // slow_count))
        for _ in range(rounds):
            await asyncio.gather(*(slow_connection(port, closed) for _ in range(slow_count)))
        stop.set()
        await normal
        answered = [t for t in served if t is not None]
        print(f"slowloris: {len(closed)} connections in {rounds} waves of {slow_count}, "
              f"{time.monotonic() - started:.1f} s")
        print("  " + summary("slow connections", closed))
        print(f"  normal client: {len(answered)}/{len(served)} health checks served, "
              f"slowest {max(answered, default=0) * 1000:.0f} ms")
        if max(closed, default=99) > HEADER_TIMEOUT_S + 2:
            failures.append("a slowloris connection outlived the header timeout")
        if len(answered) != len(served):
            failures.append("the normal client was refused during slowloris")

        # 2. Flood far past the cap.
        port = start_mock(FLOOD_HEADER_TIMEOUT_S)
        closed = []
        started = time.monotonic()
        flood = asyncio.gather(*(silent_connection(port, closed) for _ in range(args.flood)))
        await asyncio.sleep(0.5)
        during = await health(port)
        await flood
        recovered = None
        for attempt in range(300):
            if await health(port) is not None:
                recovered = time.monotonic() - started
                break
            await asyncio.sleep(0.1)
        at_once = sum(1 for t in closed if t < 1.0)
        print(f"flood: {args.flood} silent connections against a cap of {MAX_CONNECTIONS} "
              f"(header timeout {FLOOD_HEADER_TIMEOUT_S} s)")
        print(f"  {at_once} closed at once (past the cap), " + summary("all", closed))
        print(f"  normal client during the flood: {'served' if during else 'refused (the cap is full)'}; "
              f"served again {recovered:.1f} s after the flood began" if recovered else "  never served again")
        if at_once < args.flood - MAX_CONNECTIONS - 100:
            failures.append(f"only {at_once} connections past the cap were closed at once")
        if recovered is None or recovered > FLOOD_HEADER_TIMEOUT_S + 5:
            failures.append("the mock did not recover after the flood")
        if max(closed, default=99) > FLOOD_HEADER_TIMEOUT_S + 2:
            failures.append("a silent connection outlived the header timeout")
        for mock in mocks:
            if mock.poll() is not None:
                failures.append(f"a mock exited ({mock.returncode})")
    finally:
        for mock in mocks:
            mock.terminate()
            mock.wait(10)
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
