#!/usr/bin/env python3
"""Decision-quality benchmark of the performance gate (issue 12; docs/performance-evidence.md).

Not a timed test and not run by `cargo test`: it starts a real local HTTP server whose answer
is delayed by a configurable time, runs real Locust (`pip install locust` in a venv; pass its
`locust` with --locust) for short bounded runs on loopback, and asks the real `shipgate` binary
whether each pair of (baseline, current) blocks, beside the naive rule "the current p95 within
10% of the last run's".

Scenarios (the release's --current-runs runs against a baseline of --baseline-runs earlier runs at
the base delay; each pair judged on its first run alone and on --judge-runs runs):
  no change; no change with a CPU hog on the other core during one run (the first);
  a p95 5%, 10%, 20% and 50% slower (the server's delay raised by that share of the p95 that
  two calibration runs measured at the base delay).
With --pin, the server and Locust run on the first core and the hog on the last ("a CPU hog on
the other core"); without it, all share every core. Runs of all scenarios are interleaved, so that a drift of the machine over the benchmark does
not fall on one scenario. The runs are kept in --out, and --analyse-only judges them again
(e.g. with another build of shipgate) without running Locust.

  python3 crates/shipgate-perf/benches/decision_quality.py \\
      --locust /tmp/locust-venv/bin/locust --shipgate target/debug/shipgate --out /tmp/dq \\
      --pin --seconds 5

About 30 minutes with these settings (327 runs of 5 s; 36 with the default 6 s).
"""

import argparse
import csv
import http.server
import json
import os
import platform
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

SCENARIOS = [
    # name, how much slower the p95 is made, CPU hog during the current run
    ("no change", 0.00, False),
    ("no change, CPU hog", 0.00, True),
    ("5% slower", 0.05, False),
    ("10% slower", 0.10, False),
    ("20% slower", 0.20, False),
    ("50% slower", 0.50, False),
]

LOCUSTFILE = """
from locust import HttpUser, task, constant
class Shopper(HttpUser):
    wait_time = constant(0)
    @task
    def checkout(self):
        self.client.get("/checkout")
"""

POLICY = """version: 1
release: {{name: bench}}
sources:
  performance:
    current: {{format: locust, {current}}}
    baseline: {{format: baseline, path: baseline.json}}
checks:
  performance:
    - {{metric: /checkout.p95, max_regression: {max_regression}%}}
"""


class DelayServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    delay_s = 0.05


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment: otherwise Nagle's algorithm and the client's delayed
    # ACK add 40ms to every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    wbufsize = 65536

    def do_GET(self):  # noqa: N802 (the standard library's name)
        time.sleep(self.server.delay_s)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def run_locust(args, server, delay_ms, hog, path):
    """One bounded Locust run with the server's delay at `delay_ms`; its _stats.csv is copied to
    path."""
    server.delay_s = delay_ms / 1000.0
    with tempfile.TemporaryDirectory() as tmp:
        locustfile = os.path.join(tmp, "locustfile.py")
        with open(locustfile, "w", encoding="utf-8") as f:
            f.write(LOCUSTFILE)
        hog_proc = None
        if hog:
            # On the other core when the load test is pinned to the first, else anywhere.
            other = {(os.cpu_count() or 1) - 1}
            pin = (lambda: os.sched_setaffinity(0, other)) if args.pin else None
            hog_proc = subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                        preexec_fn=pin)
        try:
            subprocess.run(
                [args.locust, "-f", locustfile, "--headless", "-u", str(args.users),
                 "-r", str(args.users), "-t", f"{args.seconds}s", "--stop-timeout", "2",
                 "--host", f"http://127.0.0.1:{server.server_address[1]}",
                 "--csv", os.path.join(tmp, "run"), "--only-summary", "--loglevel", "ERROR"],
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=args.seconds + 30,
            )
        finally:
            if hog_proc is not None:
                hog_proc.kill()
                hog_proc.wait()
        shutil.copy(os.path.join(tmp, "run_stats.csv"), path)


def p95_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "/checkout":
                return float(row["95%"])
    raise ValueError(f"no /checkout row in {path}")


def collect(args):
    """Runs Locust: the no-change pool (baseline runs and the no-change currents) and the
    currents of the other scenarios, interleaved."""
    os.makedirs(args.out, exist_ok=True)
    if args.pin:
        # The server (a thread of this process) and Locust (a child, which inherits it) on the
        # first core; the hog, when there is one, on the other.
        os.sched_setaffinity(0, {0})
    server = DelayServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.time()
    # "X% slower p95": the p95 is the delay plus what the machine adds, so the delay grows by
    # X × the p95 of two calibration runs (not used in the pairs), not by X × the delay.
    calibration = []
    for i in range(2):
        path = os.path.join(args.out, f"calibration-{i}_stats.csv")
        if not os.path.exists(path):
            run_locust(args, server, args.delay_ms, False, path)
        calibration.append(p95_of(path))
    base_p95 = sum(calibration) / len(calibration)
    print(f"calibration: p95 {calibration} ms at a delay of {args.delay_ms} ms", flush=True)
    plan = []
    pool = pool_size(args)
    for i in range(max(pool, args.pairs)):
        if i < pool:
            plan.append((f"pool-{i:02}", "pool", i, 0.0, False))
        for name, slower, hog in SCENARIOS[1:]:
            if i < args.pairs:
                # The runs of one pair follow each other, as a pipeline's would; the hog runs
                # during the first of them only ("during one run").
                for j in range(args.current_runs):
                    plan.append((f"{slug(name)}-{i:02}-{j}", name, i, slower, hog and j == 0))
    for n, (file, name, i, slower, hog) in enumerate(plan):
        path = os.path.join(args.out, f"{file}_stats.csv")
        if os.path.exists(path):
            continue
        run_locust(args, server, args.delay_ms + slower * base_p95, hog, path)
        print(f"[{n + 1}/{len(plan)}] {file}: p95 {p95_of(path)}ms "
              f"({time.time() - started:.0f}s)", flush=True)
    server.shutdown()
    with open(os.path.join(args.out, "machine.json"), "w", encoding="utf-8") as f:
        json.dump({**machine(), "delay_ms": args.delay_ms, "calibration_p95_ms": calibration,
                   "users": args.users, "pin": args.pin, "current_runs": args.current_runs,
                   "seconds": args.seconds, "minutes": round((time.time() - started) / 60, 1)},
                  f, indent=2)


def pool_size(args):
    """The no-change runs: each pair's baseline, then its current runs, slide along them."""
    return args.pairs + args.baseline_runs + args.current_runs - 1


def currents(args, name, i):
    """The current runs of pair i of a scenario."""
    if name == "no change":
        start = i + args.baseline_runs
        return [os.path.join(args.out, f"pool-{p:02}_stats.csv")
                for p in range(start, start + args.current_runs)]
    return [os.path.join(args.out, f"{slug(name)}-{i:02}-{j}_stats.csv")
            for j in range(args.current_runs)]


def median(values):
    v = sorted(values)
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


def slug(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def shipgate_blocks(args, baseline_runs, current):
    """Promotes the baseline runs (oldest first) and asks `shipgate check` about the current
    runs (one: `path`; several: `runs`)."""
    with tempfile.TemporaryDirectory() as tmp:
        for k, run in enumerate(baseline_runs):
            local = os.path.join(tmp, f"base{k}_stats.csv")
            shutil.copy(run, local)
            r = subprocess.run(
                [args.shipgate, "perf", "baseline", "promote", local, "--out",
                 os.path.join(tmp, "baseline.json"), "--keep", str(len(baseline_runs)),
                 "--format", "locust", "--now", "2026-12-07T20:00:00Z"],
                capture_output=True, text=True, check=False)
            if r.returncode != 0:
                raise RuntimeError(f"promote {run}: {r.stderr}")
        names = []
        for j, run in enumerate(current):
            names.append(f"current-{j}_stats.csv")
            shutil.copy(run, os.path.join(tmp, names[-1]))
        spec = (f"path: {names[0]}" if len(names) == 1 else f"runs: [{', '.join(names)}]")
        with open(os.path.join(tmp, "shipgate.yaml"), "w", encoding="utf-8") as f:
            f.write(POLICY.format(max_regression=args.max_regression, current=spec))
        r = subprocess.run(
            [args.shipgate, "check", "--policy", os.path.join(tmp, "shipgate.yaml"),
             "--now", "2026-12-07T21:00:00Z", "--format", "json"],
            capture_output=True, text=True, check=False)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"check {current} exited {r.returncode}: {r.stderr}{r.stdout}")
        return r.returncode == 1, r.stdout


def analyse(args):
    for judged in sorted({1, args.judge_runs}):
        analyse_with(args, judged)


def analyse_with(args, judged):
    """Judges every pair with its first `judged` current runs (one run: the run the hog slowed,
    for that scenario)."""
    k = args.baseline_runs
    pool = [os.path.join(args.out, f"pool-{i:02}_stats.csv") for i in range(pool_size(args))]
    rows = []
    detail = []
    for name, slower, _hog in SCENARIOS:
        blocked = naive = 0
        changes = []
        for i in range(args.pairs):
            base = pool[i:i + k]
            current = currents(args, name, i)[:judged]
            b, report = shipgate_blocks(args, base, current)
            base_p95 = [p95_of(p) for p in base]
            cur_p95 = [p95_of(p) for p in current]
            cur = median(cur_p95)
            mean = sum(base_p95) / len(base_p95)
            changes.append(cur / mean - 1)
            # The naive rule: the current p95 (the median of the runs judged) within
            # max_regression of the last baseline run's.
            naive_blocks = cur > base_p95[-1] * (1 + args.max_regression / 100)
            blocked += b
            naive += naive_blocks
            verdict = ""
            try:
                check = json.loads(report)["checks"][0]
                verdict = check["message"]
            except (ValueError, KeyError, IndexError):
                pass
            detail.append({"scenario": name, "pair": i, "baseline_p95": base_p95,
                           "current_p95": cur_p95, "shipgate_blocks": b,
                           "naive_blocks": naive_blocks, "message": verdict})
        changes.sort()
        rows.append((name, slower, args.pairs, blocked, naive, changes[len(changes) // 2]))
    with open(os.path.join(args.out, f"pairs-{judged}.json"), "w", encoding="utf-8") as f:
        json.dump(detail, f, indent=2)
    spread = []
    for i in range(args.pairs):
        vals = [p95_of(p) for p in pool[i:i + k]]
        m = sum(vals) / k
        sd = (sum((v - m) ** 2 for v in vals) / (k - 1)) ** 0.5
        spread.append(sd / m)
    spread.sort()
    print(f"\n{judged} current run(s) judged, max_regression {args.max_regression}%, baseline "
          f"of {k} runs, {args.pairs} pairs per scenario; run-to-run spread of the p95 (sd/mean "
          f"over {k} runs): median {100 * spread[len(spread) // 2]:.1f}%")
    print("| scenario | p95 made slower by | pairs | median p95 change vs baseline mean | "
          "shipgate blocked | naive rule blocked |")
    print("|---|---|---|---|---|---|")
    for name, slower, n, blocked, naive, med in rows:
        print(f"| {name} | {100 * slower:.0f}% | {n} | {100 * med:+.1f}% | "
              f"{blocked}/{n} | {naive}/{n} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--locust", default="locust")
    ap.add_argument("--shipgate", default="target/debug/shipgate")
    ap.add_argument("--out", required=True, help="folder for the runs and the pairs' verdicts")
    ap.add_argument("--delay-ms", type=float, default=70.0,
                    help="the server's base delay (Locust rounds times of 100ms and more to 10ms)")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=6, help="length of each Locust run")
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--baseline-runs", type=int, default=5)
    ap.add_argument("--max-regression", type=float, default=10.0, help="percent")
    ap.add_argument("--current-runs", type=int, default=3,
                    help="runs of the release per pair (the hog during the first only)")
    ap.add_argument("--judge-runs", type=int, default=3,
                    help="how many of them shipgate judges, beside the first one alone")
    ap.add_argument("--pin", action="store_true",
                    help="the server and Locust on the first core, the CPU hog on the last")
    ap.add_argument("--analyse-only", action="store_true")
    args = ap.parse_args()
    if not args.analyse_only:
        collect(args)
    analyse(args)


if __name__ == "__main__":
    main()
