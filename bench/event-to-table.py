#!/usr/bin/env python3
# event-to-table.py: suspends and resumes a domain from its own virsh, one
# event a second, and after each one GETs vmonDomainState until it shows the
# new state; prints how long the table took, from the virsh command's
# return and from the notification's arrival at snmptrapd.
"""Usage: event-to-table.py PORT STATE_OID URI DOMAIN COUNT STAMPED TRAP_OID

PORT: snmpd's UDP port on 127.0.0.1 (community public); STATE_OID:
vmonDomainState.<conn>.<uuid>, numeric; STAMPED: snmptrapd's log whose
lines start with the time they were read (ns); TRAP_OID: vmonDomainLifecycle.
"""
import os
import socket
import statistics
import subprocess
import sys
import time

PAUSED, RUNNING = 3, 1  # VmonLibvirtDomainState
GET_TIMEOUT_S = 10


def ber_length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag, body):
    return bytes([tag]) + ber_length(len(body)) + body


def ber_int(n):
    return tlv(0x02, n.to_bytes((n.bit_length() + 8) // 8 or 1, "big",
                                signed=True))


def ber_oid(dotted):
    parts = [int(p) for p in dotted.strip(".").split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def get_request(request_id, oid):
    varbind = tlv(0x30, ber_oid(oid) + b"\x05\x00")
    pdu = tlv(0xA0, ber_int(request_id) + ber_int(0) + ber_int(0) +
              tlv(0x30, varbind))
    return tlv(0x30, ber_int(1) + tlv(0x04, b"public") + pdu)


def read_tlv(data, pos):
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, data[pos:pos + length], pos + length


def response_value(data):
    """The request id and the integer value of a one-varbind response
    (None for noSuchInstance and other non-integers)."""
    _, message, _ = read_tlv(data, 0)
    pos = 0
    for _ in range(2):  # version, community
        _, _, pos = read_tlv(message, pos)
    _, pdu, _ = read_tlv(message, pos)
    _, request_id, pos = read_tlv(pdu, 0)
    for _ in range(2):  # error-status, error-index
        _, _, pos = read_tlv(pdu, pos)
    _, varbinds, _ = read_tlv(pdu, pos)
    _, varbind, _ = read_tlv(varbinds, 0)
    _, _, pos = read_tlv(varbind, 0)
    tag, value, _ = read_tlv(varbind, pos)
    number = int.from_bytes(value, "big", signed=True) if tag == 0x02 else None
    return int.from_bytes(request_id, "big"), number


class Getter:
    def __init__(self, port, oid):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(1)
        self.oid = oid
        self.request_id = 0

    def get(self):
        """(value, time the answer came in, ns)."""
        self.request_id += 1
        self.sock.send(get_request(self.request_id, self.oid))
        while True:
            data = self.sock.recv(65535)
            answered = time.time_ns()
            request_id, value = response_value(data)
            if request_id == self.request_id:
                return value, answered

    def until(self, want):
        """The time of the first answer that shows WANT."""
        deadline = time.monotonic() + GET_TIMEOUT_S
        while time.monotonic() < deadline:
            value, answered = self.get()
            if value == want:
                return answered
        sys.exit("vmonDomainState did not become %d within %d s" %
                 (want, GET_TIMEOUT_S))


def trap_arrivals(path, trap_oid, seen):
    """Arrival times (ns) of the lifecycle notifications after the first
    SEEN ones."""
    stamps = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            stamp, _, rest = line.partition(" ")
            if "OID: %s\t" % trap_oid in rest + "\t":
                stamps.append(int(stamp))
    return stamps[seen:]


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def report(what, values_ms):
    values = sorted(values_ms)
    print("%s: median %.1f ms, p99 %.1f ms, max %.1f ms (%d events)" %
          (what, statistics.median(values), percentile(values, 0.99),
           values[-1], len(values)))


def main(argv):
    port, state_oid, uri, domain, count, stamped, trap_oid = argv[1:]
    getter = Getter(int(port), state_oid)
    seen = len(trap_arrivals(stamped, trap_oid, 0))
    env = dict(os.environ, LC_ALL="C")
    after_virsh, tables = [], []
    for n in range(int(count)):
        command, want = ("suspend", PAUSED) if n % 2 == 0 else \
            ("resume", RUNNING)
        started = time.monotonic()
        subprocess.run(["virsh", "-q", "-c", uri, command, domain],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        returned = time.time_ns()
        table = getter.until(want)
        after_virsh.append((table - returned) / 1e6)
        tables.append(table)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    deadline = time.monotonic() + GET_TIMEOUT_S
    while True:
        arrivals = trap_arrivals(stamped, trap_oid, seen)
        if len(arrivals) >= len(tables) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if len(arrivals) < len(tables):
        sys.exit("%d events, %d notifications" % (len(tables), len(arrivals)))
    report("virsh command's return -> GET shows the new state", after_virsh)
    report("notification's arrival -> GET shows the new state "
           "(negative: the table was first)",
           [(t - a) / 1e6 for t, a in zip(tables, arrivals)])


if __name__ == "__main__":
    main(sys.argv)
