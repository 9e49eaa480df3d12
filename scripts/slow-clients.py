#!/usr/bin/env python3
"""Slow clients against a real `herald serve` with a descriptor limit of 1,024.

Starts Herald (SQLite in a temporary directory) under `ulimit -n 1024`, then keeps 2,000
slow-header clients (a request head that never ends, one byte every 10 s) and 2,000 slow-body
clients (headers, then one body byte every 10 s) connected: whenever Herald closes one, it
reconnects, as an attacker would. Meanwhile a normal visitor asks for the home page every two
seconds on a fresh connection. Prints, every few seconds and at the end, how many connections
Herald holds (socket descriptors of the process), how many slow clients it closed, and the
visitor's answers with their latency.

    scripts/slow-clients.py [--bin target/debug/herald] [--seconds 60] [--slow-headers 2000]
                            [--slow-bodies 2000] [--nofile 1024]

With --once the slow clients do not reconnect. Exits 0 when every visitor request was answered 200 while the slow clients were connected.
"""

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_sockets(pid):
    """Socket descriptors the server process holds (its listener included)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        return -1
    return n


def server_descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


class Tally:
    def __init__(self):
        self.connected = {"header": 0, "body": 0}
        self.closed_by_server = {"header": 0, "body": 0}
        self.answered_408 = 0
        self.answered_503 = 0
        self.connect_failures = 0
        self.stop = False


async def slow_client(kind, port, tally, drip_seconds, token, args_once):
    """One slow client, reconnecting whenever the server closes it (unless `args_once`)."""
    while not tally.stop:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), timeout=30
            )
        except (OSError, asyncio.TimeoutError):
            tally.connect_failures += 1
            await asyncio.sleep(1)
            continue
        tally.connected[kind] += 1
        try:
            if kind == "header":
                writer.write(b"GET / HTTP/1.1\r\nHost: status.example.com\r\nX-Slow: ")
            else:
                writer.write(
                    b"POST /api/v1/components HTTP/1.1\r\nHost: status.example.com\r\n"
                    b"Authorization: Bearer " + token.encode() + b"\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
                )
            await writer.drain()
            while not tally.stop:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=drip_seconds)
                except asyncio.TimeoutError:
                    writer.write(b"a")
                    await writer.drain()
                    continue
                if data.startswith(b"HTTP/1.1 408"):
                    tally.answered_408 += 1
                elif data.startswith(b"HTTP/1.1 503"):
                    tally.answered_503 += 1
                if not data:
                    break
                # An answer: the close follows; read until it does.
        except (OSError, ConnectionError):
            pass
        finally:
            tally.connected[kind] -= 1
            if not tally.stop:
                tally.closed_by_server[kind] += 1
            writer.close()
        if args_once:
            return
        await asyncio.sleep(0.2)


async def visitor(port):
    """One normal request on a fresh connection, timed by curl in its own process (so the
    figure does not include this script's own event loop): (status, seconds)."""
    try:
        curl = await asyncio.create_subprocess_exec(
            "curl", "-s", "-o", "/dev/null", "--max-time", "20",
            "-H", "Host: status.example.com",
            "-w", "%{http_code} %{time_total}",
            f"http://127.0.0.1:{port}/api/v2/status.json",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await curl.communicate()
        code, seconds = out.decode().split()
        return int(code), float(seconds)
    except (OSError, ValueError):
        return 0, 0.0


async def attack(args, port, pid, token):
    tally = Tally()
    tasks = []
    for n in range(args.slow_headers + args.slow_bodies):
        kind = "header" if n < args.slow_headers else "body"
        tasks.append(asyncio.create_task(slow_client(kind, port, tally, args.drip, token, args.once)))
        if n % 200 == 199:
            await asyncio.sleep(0.05)
    probes = []
    started = time.monotonic()
    last_report = 0.0
    peak = 0
    while time.monotonic() - started < args.seconds:
        await asyncio.sleep(2)
        status, seconds = await visitor(port)
        held = server_sockets(pid)
        peak = max(peak, held)
        elapsed = time.monotonic() - started
        probes.append((elapsed, status, seconds, held, dict(tally.connected)))
        if elapsed - last_report >= 10 or status != 200:
            last_report = elapsed
            print(
                f"  t={elapsed:5.1f}s  visitor {status or 'no answer'} in {seconds * 1000:6.1f} ms"
                f"  server holds {held} sockets ({server_descriptors(pid)} descriptors)"
                f"  slow clients connected: {tally.connected['header']} header"
                f" + {tally.connected['body']} body",
                flush=True,
            )
    tally.stop = True
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return tally, probes, peak


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    default_bin = os.path.join(root, "target", "release", "herald")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(root, "target", "debug", "herald")
    p.add_argument("--bin", default=default_bin)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--slow-headers", type=int, default=2000)
    p.add_argument("--slow-bodies", type=int, default=2000)
    p.add_argument("--nofile", type=int, default=1024, help="the server's descriptor limit")
    p.add_argument("--drip", type=float, default=10, help="seconds between a slow client's bytes")
    p.add_argument("--once", action="store_true",
                   help="slow clients do not reconnect when closed (default: they do)")
    args = p.parse_args()

    # This script holds every slow client's socket: give it room.
    need = args.slow_headers + args.slow_bodies + 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))

    port = free_port()
    work = tempfile.mkdtemp(prefix="herald-slow-")
    db = os.path.join(work, "herald.db")
    env = dict(os.environ, DATABASE_URL=db, HERALD_LISTEN=f"127.0.0.1:{port}",
               HERALD_PUBLIC_URL="https://status.example.com", HERALD_LOG="warn")
    token = subprocess.run(
        [args.bin, "token", "create", "--name", "slow", "--role", "admin"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    log = open(os.path.join(work, "herald.log"), "w")
    server = subprocess.Popen(
        ["bash", "-c", f'ulimit -n {args.nofile} && exec "$0" serve', args.bin],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"herald did not start; see {log.name}")
        limit = open(f"/proc/{server.pid}/limits").read()
        nofile = [l for l in limit.splitlines() if l.startswith("Max open files")][0].split()[3]
        print(f"herald {args.bin} (pid {server.pid}), descriptor limit {nofile}, port {port}")
        baseline = asyncio.run(visitor(port))
        print(f"before: visitor {baseline[0]} in {baseline[1] * 1000:.1f} ms; "
              f"{args.slow_headers} slow-header + {args.slow_bodies} slow-body clients now "
              f"connect, one byte every {args.drip:g} s, for {args.seconds:g} s"
              f"{' (no reconnecting)' if args.once else ', reconnecting when closed'}")
        tally, probes, peak = asyncio.run(attack(args, port, server.pid, token))
        alive = server.poll() is None
    finally:
        stopping = time.monotonic()
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        stopped_in = time.monotonic() - stopping
        log.close()

    statuses = [s for _, s, _, _, _ in probes]
    latencies = sorted(t * 1000 for _, s, t, _, _ in probes if s == 200)
    answered = statuses.count(200)
    during = [c for _, _, _, _, c in probes]
    print()
    print(f"slow clients: {args.slow_headers} slow-header + {args.slow_bodies} slow-body "
          f"({'no reconnecting' if args.once else 'each reconnects when closed'})")
    print(f"server held at most {peak} sockets at once (descriptor limit {nofile}); "
          f"at the end of the run {probes[-1][3] if probes else '?'}")
    print(f"slow clients connected (client view, kernel backlog included), last probe: "
          f"{during[-1]['header'] if during else 0} header + {during[-1]['body'] if during else 0} body")
    print(f"slow connections closed by the server: {tally.closed_by_server['header']} header, "
          f"{tally.closed_by_server['body']} body ({tally.answered_408} answered 408, "
          f"{tally.answered_503} answered 503); failed connects: {tally.connect_failures}")
    if latencies:
        print(f"visitor: {answered} of {len(statuses)} requests answered 200; latency "
              f"median {statistics.median(latencies):.1f} ms, max {latencies[-1]:.1f} ms")
    else:
        print(f"visitor: 0 of {len(statuses)} requests answered")
    print(f"server still running at the end: {alive}; it stopped {stopped_in:.1f} s after SIGTERM")
    ok = alive and statuses and answered == len(statuses)
    print("RESULT:", "a normal client was answered throughout" if ok else "the page was NOT reachable")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
