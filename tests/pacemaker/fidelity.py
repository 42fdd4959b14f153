#!/usr/bin/env python3
"""fidelity.py REAL_A.json REAL_B.json SIM.json... - the fidelity table.

Compares the simulator's runs of a plan (SIM.json: one per seed, all with the
topology calibrated from run A) with a later real run of the same plan (run
B): per trial, the outcome (outcome, cluster_outcome, node_after) of every
simulated run must equal run B's; per fault, the median recovery of the
simulated trials (all seeds) must be within LIMIT % of run B's median.
Run A's median is shown beside it: the real cluster's own repeatability.
Faults without a recovery (not recovered) are judged on outcomes only.
Prints the table; exit 0 if every criterion holds, 1 otherwise."""
import json
import statistics
import sys

LIMIT = 10.0


def load(path):
    with open(path) as f:
        return json.load(f)


def outcome(t):
    return (t["outcome"], t["cluster_outcome"], t.get("node_after"))


def recoveries(runs, fault):
    return [t["recovery_ms"] for r in runs for t in r["trials"]
            if t["fault"] == fault and t["outcome"] == "recovered"]


def pct(a, b):
    return 100.0 * (a - b) / b if b else float("inf")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    a, b, sims = load(argv[1]), load(argv[2]), [load(p) for p in argv[3:]]
    ok = True
    bad = []
    for r in sims:
        if len(r["trials"]) != len(b["trials"]):
            bad.append("seed %s: %d trials, run B %d" % (r.get("seed"), len(r["trials"]), len(b["trials"])))
            continue
        for i, (s, t) in enumerate(zip(r["trials"], b["trials"])):
            if outcome(s) != outcome(t):
                bad.append("seed %s trial %d (%s): sim %s, real %s" % (r.get("seed"), i, t["fault"], outcome(s),
                                                                       outcome(t)))
    faults = []
    for t in b["trials"]:
        if t["fault"] not in faults:
            faults.append(t["fault"])
    print("%-10s %5s %-30s %10s %10s %10s %7s %7s %s" % ("fault", "n", "outcome (real B)", "real A ms", "real B ms",
                                                         "sim ms", "diff %", "A-B %", "outcomes equal"))
    for f in faults:
        tb = [t for t in b["trials"] if t["fault"] == f]
        eq = all(outcome(s) == outcome(t) for r in sims for s, t in zip(r["trials"], b["trials"]) if t["fault"] == f)
        ra, rb, rs = recoveries([a], f), recoveries([b], f), recoveries(sims, f)
        o = "%s/%s" % (tb[0]["outcome"], tb[0]["cluster_outcome"])
        if rb and rs:
            ma, mb, ms = (statistics.median(ra) if ra else float("nan")), statistics.median(rb), statistics.median(rs)
            d = pct(ms, mb)
            within = abs(d) <= LIMIT
            ok &= within
            print("%-10s %5d %-30s %10.0f %10.0f %10.0f %+7.1f %+7.1f %s%s" %
                  (f, len(tb), o, ma, mb, ms, d, pct(ma, mb), "yes" if eq else "NO", "" if within else "  <- >10 %"))
        else:
            if rb or rs:
                ok = False
            print("%-10s %5d %-30s %10s %10s %10s %7s %7s %s" % (f, len(tb), o, "-", "-", "-", "-", "-",
                                                                  "yes" if eq else "NO"))
        ok &= eq
    print("(%d simulated runs, seeds %s; real medians of run A and run B; diff = sim vs real B; limit %.0f %%)" %
          (len(sims), ",".join(str(r.get("seed")) for r in sims[:3]) + (",..." if len(sims) > 3 else ""), LIMIT))
    for m in bad[:20]:
        print("  outcome differs: " + m)
    print("fidelity: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
