#!/usr/bin/env python3
# trap-latency-report.py: pairs each driven libvirt event with its
# notification in snmptrapd's stamped log and prints the latency figures.
"""Usage: trap-latency-report.py NAME RATE EVENTS STAMPED SKIP TRAP_OID DETAIL_OID

EVENTS: "N EVENT CALLED_NS RETURNED_NS" lines of trap-latency-drive;
STAMPED: "NS TRAP<tab>..." lines; SKIP: lifecycle notifications of earlier
phases in STAMPED. Latency runs from the call that caused the event (libvirtd
emits it before the call returns), so it includes that call."""
import statistics
import sys

DETAILS = {"suspended": 300, "resumed": 400}  # VmonDomainEventDetail


def notifications(path, trap_oid, detail_oid):
    """(stamp_ns, detail) of each lifecycle notification, in log order."""
    found = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            stamp, _, rest = line.partition(" ")
            if "OID: %s\t" % trap_oid not in rest + "\t":
                continue
            detail = None
            for varbind in rest.rstrip("\n").split("\t"):
                oid, _, value = varbind.partition(" = ")
                if oid == detail_oid:
                    detail = int(value.split(": ")[1])
            found.append((int(stamp), detail))
    return found


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def main(argv):
    name, rate, events_path, stamped, skip, trap_oid, detail_oid = argv[1:]
    with open(events_path, encoding="utf-8") as f:
        events = [line.split() for line in f if line.strip()]
    traps = notifications(stamped, trap_oid, detail_oid)[int(skip):]
    if len(traps) < len(events):
        sys.exit("%s: %d events, %d notifications" % (name, len(events),
                                                      len(traps)))
    latencies, calls = [], []
    for (_, kind, called, returned), (stamp_ns, detail) in zip(events, traps):
        if detail != DETAILS[kind]:
            sys.exit("%s: a %s event got detail %s" % (name, kind, detail))
        latencies.append((stamp_ns - int(called)) / 1e6)
        calls.append((int(returned) - int(called)) / 1e6)
    span_s = (int(events[-1][3]) - int(events[0][2])) / 1e9
    ordered = sorted(latencies)
    print("%s (%d events, %s): median %.2f ms, p99 %.2f ms, max %.2f ms, "
          "min %.2f ms; events sent over %.3f s; median libvirt call %.2f ms" %
          (name, len(events), "%s/s" % rate if rate != "0" else "at once",
           statistics.median(ordered), percentile(ordered, 0.99),
           ordered[-1], ordered[0], span_s, statistics.median(calls)))


if __name__ == "__main__":
    main(sys.argv)
