#!/usr/bin/python3
"""report.py: turns bench/run.sh's raw measurements into results/summary.md
(tables, slopes, targets) and PNG plots. Usage: report.py RESULTS_DIR."""

import collections
import csv
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# libvirt remote protocol procedures seen in these runs (remote_protocol.x)
PROC_NAMES = {
    1: "CONNECT_OPEN", 2: "CONNECT_CLOSE", 3: "CONNECT_GET_TYPE",
    6: "NODE_GET_INFO", 14: "DOMAIN_GET_XML_DESC", 16: "DOMAIN_GET_INFO",
    20: "DOMAIN_GET_VCPUS", 22: "DOMAIN_LOOKUP_BY_ID",
    37: "CONNECT_LIST_DOMAINS", 51: "CONNECT_NUM_OF_DOMAINS",
    59: "CONNECT_GET_HOSTNAME", 60: "CONNECT_SUPPORTS_FEATURE",
    64: "DOMAIN_BLOCK_STATS", 65: "DOMAIN_INTERFACE_STATS", 66: "AUTH_LIST",
    101: "NODE_GET_CELLS_FREE_MEMORY", 102: "NODE_GET_FREE_MEMORY",
    110: "CONNECT_GET_URI", 149: "CONNECT_IS_SECURE",
    157: "CONNECT_GET_LIB_VERSION", 159: "DOMAIN_MEMORY_STATS",
    167: "CONNECT_DOMAIN_EVENT_REGISTER_ANY", 194: "DOMAIN_GET_BLOCK_INFO",
    212: "DOMAIN_GET_STATE", 243: "DOMAIN_BLOCK_STATS_FLAGS",
    262: "DOMAIN_GET_CPU_STATS", 273: "CONNECT_LIST_ALL_DOMAINS",
    316: "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY",
    317: "CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY",
    344: "CONNECT_GET_ALL_DOMAIN_STATS",
    360: "CONNECT_REGISTER_CLOSE_CALLBACK",
    361: "CONNECT_UNREGISTER_CLOSE_CALLBACK",
}

TOOLS = ["floor-all", "virtmon-all", "virtmon-tiered", "collectd",
         "floor-exp", "virtmon-exp", "virtmon-expmin", "exporter"]
LABELS = {
    "floor-all": "floor, all groups",
    "virtmon-all": "virtmon, all groups",
    "virtmon-tiered": "virtmon, block+balloon every 4th poll",
    "collectd": "collectd virt (default + ExtraStats)",
    "floor-exp": "floor, exporter's groups",
    "virtmon-exp": "virtmon, exporter's groups",
    "virtmon-expmin": "virtmon, exporter's groups less balloon",
    "exporter": "prometheus-libvirt-exporter",
}
STYLES = {
    "floor-all": ("k", "o", "-"), "virtmon-all": ("tab:blue", "s", "-"),
    "virtmon-tiered": ("tab:cyan", "v", "--"),
    "collectd": ("tab:red", "^", "-"), "floor-exp": ("0.5", "o", ":"),
    "virtmon-exp": ("tab:green", "s", ":"),
    "virtmon-expmin": ("tab:olive", "s", "-."),
    "exporter": ("tab:orange", "D", ":"),
}


def read_tsv(path, names):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [dict(zip(names, row)) for row in csv.reader(f, delimiter="\t")]


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


class Results:
    def __init__(self, out):
        self.out = out
        raw = read_tsv(os.path.join(out, "raw.tsv"),
                       ["n", "scen", "tool", "round", "wall", "cpu", "count",
                        "first"])
        self.samples = collections.defaultdict(lambda: collections.defaultdict(list))
        for r in raw:
            key = (int(r["n"]), r["scen"], r["tool"])
            for m in ("wall", "cpu", "first"):
                v = num(r.get(m))
                if v is not None:
                    self.samples[key][m].append(v)
        self.rpcs = collections.defaultdict(dict)
        for r in read_tsv(os.path.join(out, "rpc.tsv"),
                          ["n", "scen", "tool", "proc", "count"]):
            self.rpcs[(int(r["n"]), r["scen"], r["tool"])][int(r["proc"])] = float(r["count"])
        self.env = collections.defaultdict(dict)
        for r in read_tsv(os.path.join(out, "env.tsv"),
                          ["n", "scen", "key", "value"]):
            self.env[(int(r["n"]), r["scen"])][r["key"]] = r["value"]
        self.snmp = collections.defaultdict(dict)
        for r in read_tsv(os.path.join(out, "snmp.tsv"),
                          ["n", "scen", "key", "value"]):
            self.snmp[(int(r["n"]), r["scen"])][r["key"]] = r["value"]
        self.agent = read_tsv(os.path.join(out, "agent.tsv"),
                              ["n", "key", "t", "value"])

    def sizes(self, scen):
        return sorted({k[0] for k in self.samples if k[1] == scen})

    def median(self, n, scen, tool, metric):
        vals = self.samples.get((n, scen, tool), {}).get(metric)
        return statistics.median(vals) if vals else None

    def rpc_total(self, n, scen, tool):
        procs = self.rpcs.get((n, scen, tool))
        return round(sum(procs.values()), 1) if procs else None


def fmt(v, digits=1):
    return "-" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def slope(points):
    """Least-squares (slope, intercept) of y over x."""
    if len(points) < 2:
        return None, None
    xs, ys = zip(*points)
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if not sxx:
        return None, None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return b, my - b * mx


def size_table(res, scen, n):
    lines = [f"| tool | wall ms | libvirtd CPU ms | RPCs | CPU vs reference |",
             "| --- | ---: | ---: | ---: | --- |"]
    ref = {"virtmon-all": "floor-all", "virtmon-exp": "floor-exp",
           "virtmon-tiered": "floor-all", "collectd": "virtmon-all",
           "exporter": "virtmon-exp"}
    if res.median(n, scen, "virtmon-expmin", "cpu") is not None:
        ref["exporter"] = "virtmon-expmin"
    for tool in TOOLS:
        wall = res.median(n, scen, tool, "wall")
        if wall is None:
            continue
        cpu = res.median(n, scen, tool, "cpu")
        r = ref.get(tool)
        rel = ""
        if r:
            rc = ratio(cpu, res.median(n, scen, r, "cpu"))
            rw = ratio(wall, res.median(n, scen, r, "wall"))
            rel = f"{fmt(rc, 2)}x CPU, {fmt(rw, 2)}x wall of {r}"
        lines.append(f"| {LABELS[tool]} | {fmt(wall)} | {fmt(cpu, 2)} | "
                     f"{fmt(res.rpc_total(n, scen, tool))} | {rel} |")
    return lines


def rpc_table(res, scen, n):
    lines = ["| tool | procedure | calls per poll/read/scrape |",
             "| --- | --- | ---: |"]
    for tool in TOOLS:
        for proc, count in sorted(res.rpcs.get((n, scen, tool), {}).items(),
                                  key=lambda pc: -pc[1]):
            lines.append(f"| {tool} | {PROC_NAMES.get(proc, f'proc {proc}')} "
                         f"| {count:g} |")
    return lines


def slope_lines(res, scen):
    lines = ["| tool | wall ms per guest | libvirtd CPU ms per guest | "
             "RPCs per guest |", "| --- | ---: | ---: | ---: |"]
    for tool in TOOLS:
        out = []
        for metric in ("wall", "cpu"):
            pts = [(n, res.median(n, scen, tool, metric))
                   for n in res.sizes(scen)]
            out.append(slope([p for p in pts if p[1] is not None])[0])
        pts = [(n, res.rpc_total(n, scen, tool)) for n in res.sizes(scen)]
        out.append(slope([p for p in pts if p[1] is not None])[0])
        if out[0] is not None:
            lines.append(f"| {LABELS[tool]} | {fmt(out[0], 3)} | {fmt(out[1], 3)} "
                         f"| {fmt(out[2], 2)} |")
    return lines


def snmp_lines(res):
    keys = [("walk_ms", "full walk ms"), ("walk_objects", "objects"),
            ("lib_p50_ms", "GET p50 ms"), ("lib_p99_ms", "GET p99 ms"),
            ("lib_p50_ms_stopped", "p50 ms, libvirtd stopped"),
            ("lib_p99_ms_stopped", "p99 ms, libvirtd stopped"),
            ("cli_p50_ms", "snmpget p50 ms"), ("cli_p99_ms", "snmpget p99 ms"),
            ("cli_sysuptime_p50_ms", "snmpget sysUpTime p50 ms"),
            ("cli_p99_ms_stopped", "snmpget p99 ms, stopped"),
            ("same_value_stopped", "same value while stopped")]
    rows = sorted(res.snmp)
    if not rows:
        return ["(no SNMP figures: the agent was not built)"]
    lines = ["| N | " + " | ".join(k[1] for k in keys) + " |",
             "| --- |" + " ---: |" * len(keys)]
    keys.insert(9, ("cli_net_p50_ms", "snmpget minus sysUpTime p50 ms"))
    lines = ["| N | " + " | ".join(k[1] for k in keys) + " |",
             "| --- |" + " ---: |" * len(keys)]
    for n, scen in rows:
        d = dict(res.snmp[(n, scen)])
        a, b = num(d.get("cli_p50_ms")), num(d.get("cli_sysuptime_p50_ms"))
        if a is not None and b is not None:
            d["cli_net_p50_ms"] = f"{a - b:.2f}"
        lines.append(f"| {n} {scen} | " + " | ".join(d.get(k[0], "-") for k in keys) + " |")
    return lines


def agent_lines(res):
    if not res.agent:
        return ["(no agent footprint: the agent was not built)"]
    rss = [float(r["value"]) for r in res.agent if r["key"] == "rss_kib"]
    other = {r["key"]: r["value"] for r in res.agent if r["key"] != "rss_kib"}
    n = res.agent[0]["n"]
    return [f"- guests: {n}; interval 15 s; measured over {other.get('seconds')} s",
            f"- RSS: min {min(rss) / 1024:.1f} MiB, max {max(rss) / 1024:.1f} MiB "
            f"({len(rss)} samples)",
            f"- agent CPU: {other.get('agent_cpu_pct')} % of one core",
            f"- libvirtd CPU meanwhile: {other.get('libvirtd_cpu_pct')} % of one core",
            f"- last poll duration (vmonConnLastPollDuration): "
            f"{other.get('poll_duration_ms')} ms"]


def group_lines(res):
    lines = []
    for n, scen in sorted({(k[0], k[1]) for k in res.samples if k[2].startswith("group-")}):
        lines += [f"### {n} guests ({scen})", "",
                  "| stats group | wall ms | libvirtd CPU ms | CPU ms per guest |",
                  "| --- | ---: | ---: | ---: |"]
        for g in ("state", "cpu", "balloon", "vcpu", "interface", "block"):
            wall = res.median(n, scen, f"group-{g}", "wall")
            cpu = res.median(n, scen, f"group-{g}", "cpu")
            lines.append(f"| {g} | {fmt(wall)} | {fmt(cpu, 2)} | "
                         f"{fmt(cpu / n if cpu is not None else None, 3)} |")
        lines.append("")
    return lines or ["(not measured)", ""]


def ceiling_lines(res):
    sizes = sorted({k[0] for k in res.samples if k[1] == "ceiling"})
    stop = [(n, env["stopped"]) for (n, scen), env in res.env.items()
            if "stopped" in env]
    lines = []
    if sizes:
        lines += ["| N | virtmon wall ms | virtmon CPU ms | floor wall ms | floor CPU ms | MemAvailable MiB |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for n in sizes:
            lines.append(f"| {n} | {fmt(res.median(n, 'ceiling', 'virtmon-all', 'wall'))} | "
                         f"{fmt(res.median(n, 'ceiling', 'virtmon-all', 'cpu'))} | "
                         f"{fmt(res.median(n, 'ceiling', 'floor-all', 'wall'))} | "
                         f"{fmt(res.median(n, 'ceiling', 'floor-all', 'cpu'))} | "
                         f"{res.env.get((n, 'all'), {}).get('mem_available_mib', '-')} |")
        lines.append("")
    for n, why in stop:
        lines.append(f"Stopped at {n} guests: {why}.")
    return lines or ["(no ceiling phase)"]


def compact_lines(res):
    """One line per size: wall ms / libvirtd CPU ms / RPCs of the main tools."""
    tools = [t for t in ["floor-all", "virtmon-all", "virtmon-tiered", "collectd",
                         "virtmon-exp", "virtmon-expmin", "exporter"]
             if any(k[2] == t for k in res.samples)]
    lines = ["| guests (running) | " + " | ".join(LABELS[t] for t in tools) + " |",
             "| --- |" + " ---: |" * len(tools)]
    for scen in ("mixed", "allrun"):
        for n in res.sizes(scen):
            running = res.env.get((n, scen), {}).get("running", "?")
            cells = []
            for t in tools:
                wall = res.median(n, scen, t, "wall")
                if wall is None:
                    cells.append("-")
                    continue
                cells.append(f"{wall:.0f} / {res.median(n, scen, t, 'cpu'):.1f} / "
                             f"{fmt(res.rpc_total(n, scen, t), 0)}")
            lines.append(f"| {n} ({running}) | " + " | ".join(cells) + " |")
    return lines


def targets_lines(res):
    lines = []
    mixed = res.sizes("mixed")
    rpcs = [(f"{n}", res.rpc_total(n, "mixed", "virtmon-all")) for n in mixed]
    rpcs += [(f"{n} all running", res.rpc_total(n, "allrun", "virtmon-all"))
             for n in res.sizes("allrun")]
    vals = {v for _, v in rpcs if v is not None}
    lines.append(f"- virtmon's RPCs per poll do not grow with N: "
                 f"{'met' if len(vals) == 1 else 'MISSED'} "
                 f"({', '.join(f'N={n}: {fmt(v)}' for n, v in rpcs)})")
    worst = []
    for scen in ("mixed", "allrun"):
        for n in res.sizes(scen):
            for v, f in (("virtmon-all", "floor-all"), ("virtmon-exp", "floor-exp")):
                for m in ("wall", "cpu"):
                    r = ratio(res.median(n, scen, v, m), res.median(n, scen, f, m))
                    if r is not None:
                        worst.append((r, n, scen, v, m))
    over = [w for w in worst if w[0] > 1.1]
    lines.append(f"- virtmon within 1.1x of the floor (same groups), wall and CPU: "
                 f"{len(worst) - len(over)} of {len(worst)} comparisons met; over: "
                 + (", ".join(f"{v} {m} at N={n} {scen}: {r:.2f}x" for r, n, scen, v, m in sorted(over, reverse=True)) or "none"))
    for n in res.sizes("allrun"):
        r = ratio(res.median(n, "allrun", "virtmon-all", "cpu"),
                  res.median(n, "allrun", "collectd", "cpu"))
        if r is not None:
            lines.append(f"- libvirtd CPU per poll vs collectd virt, equal data (all running), "
                         f"N={n}: virtmon {fmt(res.median(n, 'allrun', 'virtmon-all', 'cpu'), 2)} ms, "
                         f"collectd {fmt(res.median(n, 'allrun', 'collectd', 'cpu'), 2)} ms: "
                         f"{r:.2f}x ({'met' if r <= 0.5 else 'MISSED'} at most 0.5x)")
    for (n, scen), d in sorted(res.snmp.items()):
        p = [num(d.get(k)) for k in ("lib_p99_ms", "lib_p99_ms_stopped",
                                     "cli_p99_ms", "cli_p99_ms_stopped")]
        if None not in p:
            lines.append(f"- GET p99 under 20 ms, N={n} {scen}: one open client {p[0]:g} ms, "
                         f"libvirtd stopped {p[1]:g} ms ({'met' if max(p[:2]) < 20 else 'MISSED'}); "
                         f"snmpget command {p[2]:g} / {p[3]:g} ms "
                         f"({'met' if max(p[2:]) < 20 else 'MISSED'})")
    return lines


def plot_metric(res, metric, ylabel, path):
    """Left: linear axes, where the slope reads directly; right: log-log."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for ax, is_log in zip(axes, (False, True)):
        draw_metric(res, metric, ax)
        ax.set_ylabel(ylabel)
        if is_log:
            ax.set_xscale("log")
            ax.set_yscale("log")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def draw_metric(res, metric, ax):
    for tool in TOOLS:
        pts = [(n, res.median(n, "mixed", tool, metric)) for n in res.sizes("mixed")]
        pts = [p for p in pts if p[1] is not None]
        if not pts:
            continue
        color, marker, line = STYLES[tool]
        ax.plot(*zip(*pts), color=color, marker=marker, linestyle=line,
                label=LABELS[tool])
        ceil = [(n, res.median(n, "ceiling", tool, metric)) for n in res.sizes("ceiling")]
        ceil = [p for p in ceil if p[1] is not None]
        if ceil:
            ax.plot(*zip(*([pts[-1]] + ceil)), color=color, marker="x", linestyle=line)
        for n in res.sizes("allrun"):
            v = res.median(n, "allrun", tool, metric)
            if v is not None:
                ax.plot([n], [v], color=color, marker=marker, fillstyle="none",
                        markersize=11, linestyle="none")
    ax.set_xlabel("guests (filled: most paused; hollow: all running; x: paused, virtmon and floor only)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)


def plot_rpcs(res, path):
    fig, ax = plt.subplots(figsize=(8, 5))
    for tool in TOOLS:
        pts = [(n, res.rpc_total(n, "mixed", tool)) for n in res.sizes("mixed")]
        pts = [p for p in pts if p[1] is not None]
        if pts:
            color, marker, line = STYLES[tool]
            ax.plot(*zip(*pts), color=color, marker=marker, linestyle=line,
                    label=LABELS[tool])
            for n in res.sizes("allrun"):
                v = res.rpc_total(n, "allrun", tool)
                if v is not None:
                    ax.plot([n], [v], color=color, marker=marker, fillstyle="none",
                            markersize=11, linestyle="none")
    ax.set_xlabel("guests (filled: most paused; hollow: all running)")
    ax.set_ylabel("libvirt RPCs per poll / read / scrape")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_snmp(res, path):
    rows = sorted(k for k in res.snmp if k[1] == "mixed")
    if not rows:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    for key, label, style in [("lib_p50_ms", "GET p50", "o-"),
                              ("lib_p99_ms", "GET p99", "s-"),
                              ("lib_p99_ms_stopped", "GET p99, libvirtd stopped", "s--"),
                              ("walk_ms", "full walk of VIRTMON-MIB", "D:")]:
        pts = [(n, num(res.snmp[(n, s)].get(key))) for n, s in rows]
        pts = [p for p in pts if p[1] is not None]
        if pts:
            ax.plot(*zip(*pts), style, label=label)
    ax.axhline(20, color="r", alpha=0.4, label="20 ms target (GET p99)")
    ax.set_xlabel("guests")
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results"
    res = Results(out)
    lines = ["# virtmon benchmark results", "",
             "Medians over the rounds; CPU is libvirtd's, per poll (read, "
             "scrape). Generated by bench/report.py from raw.tsv, rpc.tsv, "
             "env.tsv, snmp.tsv and agent.tsv.", ""]
    if os.path.exists(os.path.join(out, "env.txt")):
        lines += ["```"] + open(os.path.join(out, "env.txt")).read().splitlines() + ["```", ""]
    for scen in ("mixed", "allrun"):
        for n in res.sizes(scen):
            env = res.env.get((n, scen), {})
            lines += [f"## {n} guests, {env.get('running', '?')} running "
                      f"({scen}; load {env.get('load_before', '?')} -> "
                      f"{env.get('load_after', '?')})", ""]
            lines += size_table(res, scen, n) + [""]
    lines += ["## At a glance: wall ms / libvirtd CPU ms / RPCs per poll, read or scrape", ""]
    lines += compact_lines(res) + [""]
    lines += ["## Targets", ""] + targets_lines(res) + [""]
    lines += ["## Growth with the number of guests (least-squares slopes)", "",
              "Most guests paused (collectd then reads little more than the state "
              "of the paused ones):", ""]
    lines += slope_lines(res, "mixed") + [""]
    if res.sizes("allrun"):
        lines += ["All guests running (equal data for collectd):", ""]
        lines += slope_lines(res, "allrun") + [""]
    big = max(res.sizes("mixed"), default=None)
    for scen, n in (("mixed", big), ("allrun", max(res.sizes("allrun"), default=None))):
        if n is not None:
            lines += [f"## RPCs by procedure, {n} guests ({scen})", ""]
            lines += rpc_table(res, scen, n) + [""]
    lines += ["## What each stats group costs (the floor, one group at a time)", ""]
    lines += group_lines(res)
    lines += ["## Beyond the measured sizes: virtmon and the floor only", ""]
    lines += ceiling_lines(res) + [""]
    lines += ["## SNMP serving", ""] + snmp_lines(res) + [""]
    lines += ["## virtmon-agent footprint", ""] + agent_lines(res) + [""]
    lines += ["## Setup per size", "", "| N | setup s | QEMU RSS MiB | libvirtd RSS MiB | MemAvailable MiB |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for (n, scen), env in sorted(res.env.items()):
        if scen == "all":
            lines.append(f"| {n} | {env.get('setup_s', '-')} | {env.get('qemu_rss_mib', '-')} | "
                         f"{env.get('libvirtd_rss_mib', '-')} | {env.get('mem_available_mib', '-')} |")
    lines.append("")
    lines += ["## collectd's first read (connect, domain and device lists)", "",
              "| N | scenario | first read ms | steady read ms |", "| --- | --- | ---: | ---: |"]
    for n, scen, tool in sorted(res.samples):
        if tool == "collectd":
            lines.append(f"| {n} | {scen} | {fmt(res.median(n, scen, tool, 'first'))} "
                         f"| {fmt(res.median(n, scen, tool, 'wall'))} |")
    lines.append("")
    plot_metric(res, "wall", "wall time per poll / read / scrape (ms)",
                os.path.join(out, "wall.png"))
    plot_metric(res, "cpu", "libvirtd CPU per poll / read / scrape (ms)",
                os.path.join(out, "libvirtd-cpu.png"))
    plot_rpcs(res, os.path.join(out, "rpcs.png"))
    plot_snmp(res, os.path.join(out, "snmp.png"))
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}/summary.md and plots")


if __name__ == "__main__":
    main()
