#!/usr/bin/env python3
# The delay forwarder of bench/rtt: joins two TUN devices as one
# point-to-point link with a fixed one-way delay (this kernel has no netem).
# Every IP packet read from one device is written to the other DELAY_MS
# later, in order.
#
#   delay_forwarder.py NAME_A NAME_B DELAY_MS READY_FILE [FLIGHTS_FILE]
#
# It creates the TUN devices NAME_A and NAME_B (IFF_TUN | IFF_NO_PI) and
# writes READY_FILE once they exist; the caller then moves each into its
# namespace and configures it (the open descriptors stay attached). It runs
# until SIGTERM.
#
# FLIGHTS_FILE (optional): the client's flights on this link, for counting
# round trips. A flight is a packet from A that carries TCP payload or a
# SYN, sent after something from B (payload or a SYN) was delivered to A
# since A's last flight: the client had to wait for the other side. A SYN
# always begins a flight (a new connection waits for nothing, even if the
# client's last flight on another connection went unanswered). One line is
# appended per flight ("flight MONOTONIC_MS"), and one when B's answer to
# it is delivered ("answered MONOTONIC_MS"), flushed at once: a round trip
# is an answered flight (a flight nothing answers, such as a GOAWAY sent
# when the client exits, waited for nothing).
import fcntl
import heapq
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def is_syn(pkt):
    """A TCP SYN without ACK (a connection's first packet; IPv4 only)."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return False
    ihl = (pkt[0] & 0x0F) * 4
    return len(pkt) >= ihl + 20 and pkt[ihl + 13] & 0x12 == 0x02


def significant(pkt):
    """A TCP packet with payload or SYN (IPv4 only; anything else: no)."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return False
    ihl = (pkt[0] & 0x0F) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    if len(pkt) < ihl + 20:
        return False
    doff = (pkt[ihl + 12] >> 4) * 4
    syn = pkt[ihl + 13] & 0x02
    return bool(syn) or total - ihl - doff > 0


def main():
    name_a, name_b, delay_ms, ready = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    flights = open(sys.argv[5], "a") if len(sys.argv) > 5 else None
    a, b = open_tun(name_a), open_tun(name_b)
    peer = {a: b, b: a}
    with open(ready, "w") as f:
        f.write("ready\n")
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    queue = []  # (due, seq, fd to write, packet)
    seq = 0
    b_spoke = True  # the first packet from A (its SYN) is a flight
    while running[0]:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            readable, _, _ = select.select([a, b], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in readable:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if fd == a and flights and significant(pkt) and (b_spoke or is_syn(pkt)):
                    b_spoke = False
                    flights.write("flight %.3f\n" % (now * 1000))
                    flights.flush()
                seq += 1
                heapq.heappush(queue, (now + delay_ms / 1000.0, seq, peer[fd], pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, dst, pkt = heapq.heappop(queue)
            if dst == a and significant(pkt):
                if flights and not b_spoke:
                    flights.write("answered %.3f\n" % (now * 1000))
                    flights.flush()
                b_spoke = True  # delivered to A: A's next packet may answer it
            try:
                os.write(dst, pkt)
            except OSError:
                pass  # the device is down (being deleted): drop


if __name__ == "__main__":
    main()
