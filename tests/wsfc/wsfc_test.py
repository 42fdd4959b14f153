#!/usr/bin/env python3
"""The WSFC adapter's protocol tests: faultline-wsfc.exe run under Wine
against the ClusAPI test double (tests/wsfc/double_*.c), driven over the
exec protocol (docs/exec-protocol.md) line by line.

usage: wsfc_test.py WINE EXE_DIR [TEST...]

Every wait has a deadline (no sleeps): a test waits for the line it needs
and fails, naming what it waited for, when the deadline passes. Run by
tests/wsfc/run.sh (make test-wsfc), which owns the Wine prefix and server.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time

SQL = "SQL Server (MSSQLSERVER)"
DISK = "Cluster Disk 1"
NAME = "SQL Network Name (SQLCLUS)"


class Failure(Exception):
    pass


class Adapter:
    """One faultline-wsfc.exe session: lines in, lines out, stderr kept."""

    def __init__(self, wine, exe_dir, double="", args=()):
        self.log = os.path.join(exe_dir, "calls-%d.log" % os.getpid())
        if os.path.exists(self.log):
            os.remove(self.log)
        env = dict(os.environ, CLUSDOUBLE=double, CLUSDOUBLE_LOG=self.log)
        self.p = subprocess.Popen([wine, os.path.join(exe_dir, "faultline-wsfc.exe"), *args],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env)
        self.lines = queue.Queue()
        self.events = []
        self.next_id = 1
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        self.err_thread = threading.Thread(target=self._read_err, daemon=True)
        self.err_thread.start()

    def _read(self):
        for raw in self.p.stdout:
            self.lines.put(raw)
        self.lines.put(None)

    def _read_err(self):
        self.stderr = self.p.stderr.read()

    def line(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("no %s within the deadline" % what)
        try:
            raw = self.lines.get(timeout=left)
        except queue.Empty:
            raise Failure("no %s within the deadline" % what)
        if raw is None:
            raise Failure("the adapter closed its output while waiting for %s" % what)
        return raw

    def msg(self, deadline, what):
        raw = self.line(deadline, what)
        if not raw.endswith(b"\n") or raw.endswith(b"\r\n"):
            raise Failure("line not ending in a bare \\n: %r" % raw[-20:])
        return json.loads(raw)

    def hello(self, within=20):
        m = self.msg(time.monotonic() + within, "hello")
        if m.get("hello") != "faultline-adapter":
            raise Failure("first line is not a hello: %r" % m)
        return m

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def call(self, req, within=10):
        req = dict(req, id=self.next_id)
        self.next_id += 1
        self.send_raw((json.dumps(req) + "\n").encode())
        deadline = time.monotonic() + within
        while True:
            m = self.msg(deadline, "answer to %s" % req["op"])
            if "event" in m:
                self.events.append(m)
            elif m.get("id") == req["id"]:
                return m
            else:
                raise Failure("unexpected line %r" % m)

    def wait_event(self, pred, what, within=10, since=0):
        """The first event (already read from index `since` on, or still to come) for which pred is true."""
        for ev in self.events[since:]:
            if pred(ev):
                return ev
        deadline = time.monotonic() + within
        while True:
            m = self.msg(deadline, what)
            if "event" not in m:
                raise Failure("unexpected line %r while waiting for %s" % (m, what))
            self.events.append(m)
            if pred(m):
                return m

    def calls(self, ports=False):
        """The double's log of calls that change something (with the notify ports if asked)."""
        with open(self.log, encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f]
        return lines if ports else [l for l in lines if not l.startswith("CreateClusterNotifyPortV2")]

    def close(self, within=10):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = self.p.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise Failure("the adapter did not exit within %ds of EOF" % within)
        self.err_thread.join(timeout=within)
        return rc


def expect(cond, what):
    if not cond:
        raise Failure(what)


def states(events, kind, name):
    return [e["state"] for e in events if e["event"] == kind and e.get("name") == name]


# --- the protocol ---------------------------------------------------------------------------------------------

def t_list_and_state(a):
    h = a.hello()
    expect("events" in h["ops"], "hello without events: %r" % h)
    m = a.call({"op": "list"})
    expect([n["name"] for n in m["nodes"]] == ["node-a", "node-b"], "nodes %r" % m["nodes"])
    expect([g["name"] for g in m["groups"]] == [SQL, "Available Storage"], "groups %r" % m["groups"])
    sql = [r for r in m["resources"] if r["name"] == SQL][0]
    expect(sql == {"name": SQL, "type": "SQL Server", "group": SQL, "owner": "node-a", "state": "online",
                   "deps": [DISK, NAME]}, "resource %r" % sql)
    m = a.call({"op": "state", "resource": DISK})
    expect(m == {"id": 2, "ok": True, "code": 0, "state": "online"}, "state answer %r" % m)
    m = a.call({"op": "state", "resource": "No Such Resource"})
    expect(m["ok"] is False and m["code"] == 5007, "unknown resource answer %r" % m)
    expect(m["error"] == 'resource "No Such Resource": OpenClusterResource: error 5007', m["error"])


def t_blank_lines_ignored(a):
    """Bug 4: a blank line is no request; the next request is answered, and nothing else."""
    a.hello()
    a.send_raw(b"\n\r\n   \n")
    m = a.call({"op": "state", "resource": DISK})
    expect(m == {"id": 1, "ok": True, "code": 0, "state": "online"}, "after blank lines: %r" % m)


def t_stderr_newlines(a):
    """Bug 5: stderr lines end in \\n, not \\r\\n (here: the usage of a wrong command line)."""
    rc = a.close()
    expect(rc == 2, "exit status %r for a bad command line" % rc)
    ours = a.stderr[a.stderr.find(b"usage: faultline-wsfc.exe"):]  # Wine may have said things before
    expect(ours.startswith(b"usage: faultline-wsfc.exe"), "stderr %r" % a.stderr[-200:])
    expect(b"\r\n" not in ours, "stderr has \\r\\n: %r" % ours[:120])


def t_oversized_line(a):
    """Bug 5: a line over 1 MiB is answered (id 0, code 87), then the adapter exits non-zero."""
    a.hello()
    a.send_raw(b"x" * (1024 * 1024 + 10) + b"\n")
    m = a.msg(time.monotonic() + 20, "answer to an oversized line")
    expect(m == {"id": 0, "ok": False, "code": 87, "error": "line 1: longer than 1048576 bytes"},
           "oversized answer %r" % m)
    rc = a.close()
    expect(rc == 1, "exit status %r after an oversized line" % rc)


def t_refusals(a):
    a.hello()
    m = a.call({"op": "offline", "resource": SQL, "flags": [], "destination": None})
    expect(m["ok"] is False and m["code"] == 5960, "offline of a locked resource: %r" % m)
    m = a.call({"op": "move", "group": SQL, "node": "node-z"})
    expect(m["ok"] is False and m["code"] == 5042, "move to an unknown node: %r" % m)
    m = a.call({"op": "fail", "resource": DISK})
    expect(m["ok"] is False and m["code"] == 1722, "fail while the cluster is unreachable: %r" % m)
    expect(m["error"] == 'FailClusterResource "Cluster Disk 1": error 1722', m["error"])


# --- events ---------------------------------------------------------------------------------------------------

def t_group_events(a):
    """Bug 1: a group state change is an event (CLUSTER_CHANGE_GROUP_STATE_V2 is 0x8)."""
    a.hello()
    m = a.call({"op": "fail", "resource": SQL})
    expect(m == {"id": 1, "ok": True, "code": 0}, "fail answer %r" % m)
    a.wait_event(lambda e: e["event"] == "group" and e["name"] == SQL and e["state"] == "failed",
                 "group event: failed")
    a.wait_event(lambda e: e["event"] == "group" and e["name"] == SQL and e["state"] == "online",
                 "group event: online again")
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == SQL and e["state"] == "online",
                 "resource event: online again")
    expect(states(a.events, "resource", SQL)[:3] == ["failed", "online-pending", "online"],
           "SQL Server's events %r" % states(a.events, "resource", SQL))


MOVE = ["offline-pending", "offline", "online-pending", "online"]


def t_fast_move_exact(a):
    """Bug 2: 12 changes in a few ms, each notification carrying its state: all 12 reported, in order."""
    a.hello()
    m = a.call({"op": "move", "group": SQL, "node": "node-b"})
    expect(m["code"] == 997, "move answer %r" % m)
    for r in (SQL, NAME, DISK):
        a.wait_event(lambda e, r=r: e["event"] == "resource" and e["name"] == r and e["state"] == "online",
                     "%s online" % r)
    a.call({"op": "state", "resource": DISK})  # every notification of the move has been read by now
    for r in (SQL, NAME, DISK):
        expect(states(a.events, "resource", r) == MOVE, "%s reported %r" % (r, states(a.events, "resource", r)))
    a.wait_event(lambda e: e["event"] == "group" and e["name"] == SQL and e["state"] == "online",
                 "group online after the move")
    expect(all(e.get("owner") == "node-b" for e in a.events if e["event"] == "resource" and
               e["state"] == "online"), "online events not on node-b: %r" % a.events)
    expect(a.calls() == ["MoveClusterGroupEx SQL Server (MSSQLSERVER) node=node-b flags=0x0 -> 997"],
           "calls %r" % a.calls())


def t_fast_move_no_payload(a):
    """Bug 2 without a payload: the adapter reads; it may miss changes but never reports a false or repeated
    state, and says when it missed some (resync)."""
    a.hello()
    a.call({"op": "move", "group": SQL, "node": "node-b"})
    for r in (SQL, NAME, DISK):
        a.wait_event(lambda e, r=r: e["event"] == "resource" and e["name"] == r and e["state"] == "online",
                     "%s online" % r)
    a.call({"op": "state", "resource": DISK})  # every notification of the move has been read by now
    missed = False
    for r in (SQL, NAME, DISK):
        got = states(a.events, "resource", r)
        expect(all(x != y for x, y in zip(got, got[1:])), "%s: a state reported twice in a row: %r" % (r, got))
        expect(all(s in MOVE for s in got), "%s: a state the move never had: %r" % (r, got))
        expect([s for s in MOVE if s in got] == got, "%s: out of order: %r" % (r, got))
        missed |= got != MOVE
    resyncs = [e for e in a.events if e["event"] == "resync"]
    expect(not missed or resyncs, "changes were missed and no resync said so: %r" % a.events)


def t_outage_then_resync(a):
    """Bug 3: the notification port breaks for 1.5 s mid-run: the adapter says so (resync), reopens the port
    and keeps reporting; a later fault is seen as usual."""
    a.hello()
    a.call({"op": "fail", "resource": SQL})
    a.wait_event(lambda e: e["event"] == "resync", "a resync after the port broke", within=5)
    # the outage lasts 1.5 s from the fault: the adapter retries the port (saying resync while it cannot
    # watch) until it is back
    deadline = time.monotonic() + 10
    while a.calls(ports=True).count("CreateClusterNotifyPortV2 -> 0") < 2:
        expect(time.monotonic() < deadline, "the port was not reopened: %r" % a.calls(ports=True))
        n = len(a.events)
        a.wait_event(lambda e: e["event"] == "resync", "a resync while polling", within=3, since=n)
    m = a.call({"op": "state", "resource": SQL})
    expect(m["state"] == "online", "SQL Server after the outage: %r" % m)
    n = len(a.events)
    m = a.call({"op": "fail", "resource": DISK})
    expect(m["ok"], "second fault refused: %r" % m)
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == DISK and e["state"] == "failed",
                 "Cluster Disk 1 failed, after the outage", within=10)
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == DISK and e["state"] == "online",
                 "Cluster Disk 1 online, after the outage", within=10)
    expect(len(a.events) > n, "no event after the outage")


def lost_test(kind):
    def t(a):
        a.hello()
        a.call({"op": "fail", "resource": SQL})
        a.wait_event(lambda e: e["event"] == "resync", "a resync after %s" % kind)
        a.wait_event(lambda e: e["event"] == "resource" and e["name"] == SQL and e["state"] == "online",
                     "SQL Server online after %s" % kind)
    t.__doc__ = "Notifications lost (%s): the adapter says resync and goes on." % kind
    return t


def t_big_notification(a):
    """Bug 3: a notification larger than the adapter's buffer: it grows its buffer and goes on."""
    a.hello()
    a.call({"op": "fail", "resource": SQL})
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == SQL and e["state"] == "online",
                 "SQL Server online after a 64 KiB notification")
    a.call({"op": "fail", "resource": DISK})
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == DISK and e["state"] == "failed",
                 "Cluster Disk 1 failed: events still flow")


# --- offline flags and destinations ---------------------------------------------------------------------------

def t_offline_flags(a):
    h = a.hello()
    expect(set(h["offline_flags"]) == {"ignore_resource_status", "do_not_update_persistent_state",
                                       "return_to_source_node_on_error", "queue_enabled"},
           "offline flags %r" % h["offline_flags"])
    expect("offline_destination" in h["ops"], "ops %r" % h["ops"])
    m = a.call({"op": "offline", "resource": SQL,
                "flags": ["ignore_resource_status", "do_not_update_persistent_state"], "destination": None})
    expect(m == {"id": 1, "ok": True, "code": 997}, "offline answer %r" % m)
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == SQL and e["state"] == "offline",
                 "SQL Server offline")
    a.call({"op": "online", "resource": SQL})
    a.wait_event(lambda e: e["event"] == "resource" and e["name"] == SQL and e["state"] == "online",
                 "SQL Server online")
    m = a.call({"op": "offline", "resource": SQL,
                "flags": ["return_to_source_node_on_error", "queue_enabled"], "destination": "node-b"})
    expect(m["code"] == 997, "offline with a destination %r" % m)
    m = a.call({"op": "offline", "resource": SQL, "flags": ["queue_enabled"], "destination": None})
    expect(m["ok"] is False and m["code"] == 87, "queue_enabled without a destination %r" % m)
    expect(m["error"] == 'offline "SQL Server (MSSQLSERVER)": flag "queue_enabled" needs a destination '
           '(MoveClusterGroupEx); OfflineClusterResourceEx has no such flag', m["error"])
    expect(a.calls() == [
        "OfflineClusterResourceEx SQL Server (MSSQLSERVER) flags=0x5 -> 997",
        "OnlineClusterResourceEx SQL Server (MSSQLSERVER) flags=0x0 -> 997",
        "MoveClusterGroupEx SQL Server (MSSQLSERVER) node=node-b flags=0x6 -> 997",
    ], "calls %r" % a.calls())


# --- nodes ----------------------------------------------------------------------------------------------------

def node_of(m, name):
    return [n for n in m["nodes"] if n["name"] == name][0]


def owners(a):
    return {g["name"]: g["owner"] for g in a.call({"op": "list"})["groups"]}


def t_node_pause_drain_resume(a):
    """PauseClusterNodeEx with drain moves node-a's groups away; ResumeClusterNodeEx(immediately) brings them back."""
    h = a.hello()
    expect(h["version"] == 2, "hello version %r" % h["version"])
    expect("node_pause" in h["ops"] and "node_resume" in h["ops"], "ops %r" % h["ops"])
    expect("node_down" not in h["ops"] and "node_up" not in h["ops"], "ClusAPI cannot crash a node: %r" % h["ops"])
    m = a.call({"op": "list"})
    expect(node_of(m, "node-a") == {"name": "node-a", "up": True, "paused": False}, "nodes %r" % m["nodes"])
    m = a.call({"op": "node_pause", "node": "node-a", "drain": True})
    expect(m == {"id": 2, "ok": True, "code": 0}, "pause answer %r" % m)
    a.wait_event(lambda e: e == {"event": "node", "name": "node-a", "state": "paused", "at_ms": e["at_ms"]},
                 "node-a paused (CLUSTER_CHANGE_NODE_STATE_V2)")
    for g in (SQL, "Available Storage"):
        a.wait_event(lambda e: e["event"] == "group" and e["name"] == g and e["state"] == "online" and
                     e.get("owner") == "node-b", "%s online on node-b" % g)
    m = a.call({"op": "list"})
    expect(node_of(m, "node-a") == {"name": "node-a", "up": True, "paused": True}, "nodes %r" % m["nodes"])
    expect(owners(a) == {SQL: "node-b", "Available Storage": "node-b"}, "owners after the drain")
    m = a.call({"op": "node_pause", "node": "node-a", "drain": False})
    expect(m["ok"] is False and m["code"] == 5070, "pausing a paused node: %r" % m)
    m = a.call({"op": "move", "group": SQL, "node": "node-a"})
    expect(m["ok"] is False and m["code"] == 5005, "nothing moves to a paused node: %r" % m)
    since = len(a.events)
    m = a.call({"op": "node_resume", "node": "node-a", "failback": "immediate"})
    expect(m["ok"] is True and m["code"] == 0, "resume answer %r" % m)
    a.wait_event(lambda e: e["event"] == "node" and e["name"] == "node-a" and e["state"] == "up", "node-a up",
                 since=since)
    for g in (SQL, "Available Storage"):
        a.wait_event(lambda e: e["event"] == "group" and e["name"] == g and e["state"] == "online" and
                     e.get("owner") == "node-a", "%s back online on node-a" % g, since=since)
    m = a.call({"op": "node_resume", "node": "node-a", "failback": "none"})
    expect(m["ok"] is False and m["code"] == 5058, "resuming a node that is not paused: %r" % m)
    m = a.call({"op": "node_pause", "node": "node-z", "drain": False})
    expect(m["ok"] is False and m["code"] == 5042, "pausing an unknown node: %r" % m)
    expect(a.calls() == [
        "PauseClusterNodeEx node-a drain=1 flags=0x0 target=(none) -> 0",
        "drain SQL Server (MSSQLSERVER) node-a -> node-b",
        "drain Available Storage node-a -> node-b",
        "PauseClusterNodeEx node-a drain=0 flags=0x0 target=(none) -> 5070",
        "MoveClusterGroupEx SQL Server (MSSQLSERVER) node=node-a flags=0x0 -> 5005",
        "ResumeClusterNodeEx node-a failback=1 -> 0",
        "failback SQL Server (MSSQLSERVER) node-b -> node-a",
        "failback Available Storage node-b -> node-a",
        "ResumeClusterNodeEx node-a failback=0 -> 5058",
    ], "calls %r" % a.calls())


def t_node_pause_without_drain(a):
    """A pause without drain moves nothing; a resume per policy (AutoFailbackType 0 here) moves nothing either."""
    a.hello()
    m = a.call({"op": "node_pause", "node": "node-b", "drain": False})
    expect(m["code"] == 0, "pause answer %r" % m)
    a.wait_event(lambda e: e["event"] == "node" and e["name"] == "node-b" and e["state"] == "paused",
                 "node-b paused")
    m = a.call({"op": "node_resume", "node": "node-b", "failback": "policy"})
    expect(m["code"] == 0, "resume answer %r" % m)
    a.wait_event(lambda e: e["event"] == "node" and e["name"] == "node-b" and e["state"] == "up", "node-b up")
    expect(owners(a) == {SQL: "node-a", "Available Storage": "node-a"}, "nothing moved")
    expect(not [e for e in a.events if e["event"] == "group"], "no group changed: %r" % a.events)
    expect(a.calls() == [
        "PauseClusterNodeEx node-b drain=0 flags=0x0 target=(none) -> 0",
        "ResumeClusterNodeEx node-b failback=2 -> 0",
    ], "calls %r" % a.calls())


TESTS = [
    (t_list_and_state, "step_ms=5", ()),
    (t_blank_lines_ignored, "", ()),
    (t_stderr_newlines, "", ("a", "b")),
    (t_oversized_line, "", ()),
    (t_refusals, "lock=SQL Server (MSSQLSERVER),fail_call=FailClusterResource:1722", ()),
    (t_group_events, "step_ms=20", ()),
    (t_fast_move_exact, "step_ms=0", ()),
    (t_fast_move_no_payload, "step_ms=0,payload=none", ()),
    (t_outage_then_resync, "step_ms=50,outage_on_fail=1500", ()),
    (lost_test("CLUSTER_RECONNECT_V2"), "step_ms=20,reconnect_on_fail=1", ()),
    (lost_test("CLUSTER_LOST_NOTIFICATIONS_V2"), "step_ms=20,lost_on_fail=1", ()),
    (t_big_notification, "step_ms=20,big_on_fail=65536", ()),
    (t_offline_flags, "step_ms=5", ()),
    (t_node_pause_drain_resume, "step_ms=5", ()),
    (t_node_pause_without_drain, "step_ms=5", ()),
]


def name_of(t, i):
    n = t.__name__
    return n if n != "t" else "lost_notifications_%d" % i


def main():
    wine, exe_dir, only = sys.argv[1], sys.argv[2], sys.argv[3:]
    failed = 0
    for i, (t, double, args) in enumerate(TESTS):
        name = name_of(t, i)
        if only and name not in only:
            continue
        start = time.monotonic()
        a = Adapter(wine, exe_dir, double, args)
        try:
            t(a)
            if a.p.poll() is None:
                rc = a.close()
                expect(rc == 0, "exit status %r at EOF" % rc)
            print("PASS %-28s %5.2fs" % (name, time.monotonic() - start))
        except (Failure, json.JSONDecodeError, KeyError, IndexError) as e:
            failed += 1
            print("FAIL %-28s %s" % (name, e))
            if a.p.poll() is None:
                a.p.kill()
                a.p.wait()
            print("     stderr: %r" % a.stderr[-300:])
        finally:
            if os.path.exists(a.log):
                os.remove(a.log)
        sys.stdout.flush()
    print("%d of %d adapter tests failed" % (failed, len(TESTS)) if failed else "all adapter tests passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
