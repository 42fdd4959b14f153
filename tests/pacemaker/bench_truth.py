#!/usr/bin/env python3
"""bench_truth.py RUN.json PACEMAKER.LOG RESOURCE NODE - faultline's measured
recovery against Pacemaker's own record of it.

Truth for each trial: the first "Result of start operation for RESOURCE on
NODE: ok" the node's controller logged after the injection (ms timestamps);
faultline's: injected_at_utc + recovery_ms. Prints the error (faultline minus
truth) p50/p99/max, the share of trials within their stated resolution
(0 <= error <= resolution_ms), and a JSON line."""
import datetime as dt
import json
import re
import sys


def main():
    run, log, rsc, node = sys.argv[1:5]
    with open(run) as f:
        rec = json.load(f)
    year = dt.datetime.now(dt.timezone.utc).year
    pat = re.compile(r"^(\w{3} \d\d \d\d:\d\d:\d\d\.\d{3}) .*Result of start operation for %s on %s: ok"
                     % (re.escape(rsc), re.escape(node)))
    starts = []
    with open(log, errors="replace") as f:
        for line in f:
            m = pat.match(line)
            if m:
                t = dt.datetime.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S.%f")
                starts.append(t.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)
    errs, within = [], 0
    for t in rec["trials"]:
        if t["outcome"] != "recovered" or t["resource"] != rsc or not t.get("outage_observed"):
            continue
        inj = dt.datetime.fromisoformat(t["injected_at_utc"].replace("Z", "+00:00")).timestamp() * 1000
        # dated when `crm_resource --fail` returned; the restart's start completes ~60-110 ms after
        # the failure, so the first start after that instant is this trial's (20 ms: log rounding)
        truth = next((s for s in starts if s >= inj - 20), None)
        if truth is None:
            continue
        err = inj + t["recovery_ms"] - truth
        errs.append(err)
        within += -1 <= err <= t["resolution_ms"] + 1  # log and report both round to 1 ms
    if not errs:
        print("bench_truth: no trial matched a logged start", file=sys.stderr)
        return 1
    errs.sort()
    pct = lambda p: errs[min(len(errs) - 1, int(p * len(errs)))]
    out = {"trials": len(errs), "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1),
           "max_ms": round(errs[-1], 1), "min_ms": round(errs[0], 1),
           "within_resolution": round(within / len(errs), 3)}
    print(f"recovery error vs Pacemaker's log, cluster probe ({out['trials']} trials), p50 / p99 / max: "
          f"{out['p50_ms']} / {out['p99_ms']} / {out['max_ms']} ms (min {out['min_ms']}); "
          f"within the stated resolution: {100 * out['within_resolution']:.0f} %")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
