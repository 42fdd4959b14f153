#!/usr/bin/env python3
"""cibsnap.py - what a faultline run must leave exactly as it found it, read
from the cluster itself, and the difference between two such readings.

  cibsnap.py snap OUT.json   read `cibadmin --query` and `crm_mon` (run it
                             where those reach the cluster)
  cibsnap.py diff A B        print every difference; exit 1 if there is one

A snapshot holds: every constraint (canonical XML), every resource's and
group's meta attributes, every fail-count/last-failure (per node), the other
node attributes (permanent and transient, minus Pacemaker's own '#'
ones), and placement (role and node of every resource)."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=20).stdout


def canon(el):
    attrs = " ".join(f'{k}="{v}"' for k, v in sorted(el.attrib.items()))
    kids = "".join(canon(c) for c in el)
    return f"<{el.tag} {attrs}>{kids}</{el.tag}>"


def snap():
    cib = ET.fromstring(run("cibadmin", "--query"))
    s = {"constraints": [], "meta": {}, "failcounts": {}, "node_attrs": {}, "placement": {}}
    cons = cib.find("configuration/constraints")
    s["constraints"] = sorted(canon(c) for c in (cons if cons is not None else []))
    for r in cib.iter():
        if r.tag in ("primitive", "group", "clone") and r.get("id"):
            meta = {}
            for ma in r.findall("meta_attributes"):
                for nv in ma.findall("nvpair"):
                    meta[nv.get("name")] = nv.get("value")
            s["meta"][r.get("id")] = meta
    for n in cib.findall("configuration/nodes/node"):
        for ia in n.findall("instance_attributes"):
            for nv in ia.findall("nvpair"):
                s["node_attrs"][f'{n.get("uname")}:{nv.get("name")}'] = nv.get("value")
    for ns in cib.findall("status/node_state"):
        node = ns.get("uname")
        for nv in ns.iter("nvpair"):
            name = nv.get("name", "")
            if name.startswith(("fail-count-", "last-failure-")):
                s["failcounts"][f"{node}:{name}"] = nv.get("value")
            elif not name.startswith("#"):
                s["node_attrs"][f"{node}:transient:{name}"] = nv.get("value")
    mon = ET.fromstring(run("crm_mon", "-1", "--output-as=xml"))
    for r in mon.iter("resource"):
        nodes = sorted(n.get("name") for n in r.findall("node"))
        s["placement"][r.get("id")] = f'{r.get("role")}@{",".join(nodes) or "-"}' + (
            " FAILED" if r.get("failed") == "true" else "")
    return s


def diff(a, b):
    out = []
    for key in a.keys() | b.keys():
        x, y = a.get(key), b.get(key)
        if isinstance(x, list) or isinstance(y, list):
            for c in sorted(set(x or []) - set(y or [])):
                out.append(f"{key}: only before: {c}")
            for c in sorted(set(y or []) - set(x or [])):
                out.append(f"{key}: only after:  {c}")
            continue
        x, y = x or {}, y or {}
        for k in sorted(x.keys() | y.keys()):
            if x.get(k) != y.get(k):
                out.append(f"{key}: {k}: before {json.dumps(x.get(k))}, after {json.dumps(y.get(k))}")
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snap(), f, indent=1, sort_keys=True)
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        with open(sys.argv[2]) as f:
            a = json.load(f)
        with open(sys.argv[3]) as f:
            b = json.load(f)
        d = diff(a, b)
        for line in d:
            print("  " + line)
        return 1 if d else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
