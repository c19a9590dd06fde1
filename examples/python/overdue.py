"""overdue.py: examples/c/overdue.c again, in Python through ctypes, with no third-party package.

Reads a day of 12345-hotline events from a CSV export, replays them into a civicflow engine,
records the SLA warnings and breaches that fell due, and prints the overdue and at-risk cases.
Prints exactly what the C program prints.

    CIVICFLOW_LIB=/opt/civicflow/lib/libcivicflow.so python3 overdue.py \\
        [calendar.json template.json events.csv "YYYY-MM-DD HH:MM"]

Without arguments it uses the repository's calendar, template and examples/c/events.csv.
"""

import csv
import ctypes
import ctypes.util
import json
import os
import sys
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
CF_OK = 0
ABI_VERSION = 1


def load_library():
    """Loads libcivicflow and declares the signatures used here (see civicflow.h)."""
    path = os.environ.get("CIVICFLOW_LIB") or ctypes.util.find_library("civicflow")
    if path is None:
        sys.exit("libcivicflow not found: set CIVICFLOW_LIB to its path")
    lib = ctypes.CDLL(path)
    lib.cf_abi_version.restype = ctypes.c_uint32
    lib.cf_engine_new.restype = ctypes.c_void_p
    lib.cf_engine_free.argtypes = [ctypes.c_void_p]
    # Answers come back as char*: keep them as c_void_p so they can be given back to
    # cf_string_free (ctypes would otherwise copy them into bytes and lose the pointer).
    answer = ctypes.POINTER(ctypes.c_void_p)
    lib.cf_engine_call.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, answer]
    lib.cf_engine_apply.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p, ctypes.c_size_t,  # case id
        ctypes.c_char_p, ctypes.c_size_t,  # transition
        ctypes.c_char_p, ctypes.c_size_t,  # actor id
        ctypes.c_char_p, ctypes.c_size_t,  # actor unit, or NULL
        ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t,
        ctypes.c_int64,
        answer,
    ]
    lib.cf_engine_fire_due.argtypes = [ctypes.c_void_p, ctypes.c_int64, answer]
    for f in (lib.cf_engine_call, lib.cf_engine_apply, lib.cf_engine_fire_due):
        f.restype = ctypes.c_int
    lib.cf_string_free.argtypes = [ctypes.c_void_p]
    lib.cf_last_error.argtypes = [ctypes.c_char_p, ctypes.c_size_t,
                                  ctypes.POINTER(ctypes.c_size_t)]
    lib.cf_last_error.restype = ctypes.c_int
    if lib.cf_abi_version() != ABI_VERSION:
        sys.exit(f"libcivicflow has ABI {lib.cf_abi_version()}, this program wants {ABI_VERSION}")
    return lib


class Engine:
    """One engine; every answer string is copied and released with cf_string_free at once."""

    def __init__(self, lib):
        self.lib = lib
        self.handle = lib.cf_engine_new()

    def close(self):
        self.lib.cf_engine_free(self.handle)
        self.handle = None

    def _take(self, status, out):
        text = ctypes.string_at(out.value).decode() if out.value else None
        self.lib.cf_string_free(out)
        return status, (json.loads(text) if text else None)

    def call(self, request):
        data = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode()
        out = ctypes.c_void_p()
        status = self.lib.cf_engine_call(self.handle, data, len(data), ctypes.byref(out))
        return self._take(status, out)

    def apply(self, case_id, transition, actor, role, unit, at):
        enc = [s.encode() for s in (case_id, transition, actor, role, unit)]
        roles = (ctypes.c_char_p * 1)(enc[3])
        lens = (ctypes.c_size_t * 1)(len(enc[3]))
        out = ctypes.c_void_p()
        status = self.lib.cf_engine_apply(
            self.handle, enc[0], len(enc[0]), enc[1], len(enc[1]), enc[2], len(enc[2]),
            enc[4] or None, len(enc[4]), roles, lens, 1, at, ctypes.byref(out))
        return self._take(status, out)

    def fire_due(self, now):
        out = ctypes.c_void_p()
        return self._take(self.lib.cf_engine_fire_due(self.handle, now, ctypes.byref(out)), out)

    def last_error(self):
        buf = ctypes.create_string_buffer(512)
        written = ctypes.c_size_t()
        self.lib.cf_last_error(buf, len(buf), ctypes.byref(written))
        return buf.value.decode()


def beijing_ms(text):
    local = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    return int(local.timestamp()) * 1000


def report_failure(engine, what, status, answer):
    if answer and answer.get("errors"):
        first = answer["errors"][0]
        print(f"{what}: refused (status {status}): {first['code']}: {first['message']}",
              file=sys.stderr)
    else:
        print(f"{what}: failed (status {status}): {engine.last_error()}", file=sys.stderr)


def send(engine, request, what):
    status, answer = engine.call(request)
    if status != CF_OK:
        report_failure(engine, what, status, answer)
        return None
    return answer["result"]


def pairs(data):
    """"a=1;b=true" into a dict of strings, and of booleans for true and false."""
    literal = {"true": True, "false": False}
    items = (p.split("=", 1) for p in data.split(";") if "=" in p)
    return {k: literal.get(v, v) for k, v in items}


def actor(who, role, unit):
    a = {"id": who, "roles": [role]}
    if unit:
        a["unit"] = unit
    return a


def replay(engine, path):
    cases, rows = [], 0
    with open(path, newline="", encoding="utf-8") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or row[0].startswith("#"):
                continue
            row += [""] * (7 - len(row))
            time, case_id, action, who, role, unit, data = row[:7]
            at = beijing_ms(time)
            what = f"line {number} ({case_id} {action})"
            rows += 1
            if action == "open":
                fields = pairs(data)
                channel = fields.pop("channel", "hotline")
                if send(engine, {"op": "open_case", "case_id": case_id,
                                 "workflow": "hotline-12345", "channel": channel,
                                 "fields": fields, "actor": actor(who, role, unit), "at": at},
                        what) is not None:
                    cases.append(case_id)
            elif data:
                send(engine, {"op": "apply", "case_id": case_id, "transition": action,
                              "payload": pairs(data), "actor": actor(who, role, unit), "at": at},
                     what)
            else:
                status, answer = engine.apply(case_id, action, who, role, unit, at)
                if status != CF_OK:
                    report_failure(engine, what, status, answer)
    print(f"replayed {rows} events for {len(cases)} cases from {path}")
    return cases


def main(argv):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if len(argv) == 1:
        argv = [argv[0], os.path.join(root, "calendars", "cn-mainland.json"),
                os.path.join(root, "templates", "hotline-12345.json"),
                os.path.join(root, "examples", "c", "events.csv"), "2025-12-01 17:00"]
    if len(argv) != 5:
        sys.exit(__doc__)
    calendar, template, events, report_time = argv[1:]
    engine = Engine(load_library())
    try:
        for op, key, path in (("load_calendar", "calendar", calendar),
                              ("load_workflow", "definition", template)):
            with open(path, encoding="utf-8") as f:
                if send(engine, {"op": op, key: json.load(f)}, path) is None:
                    return 1
        cases = replay(engine, events)
        now = beijing_ms(report_time)
        status, answer = engine.fire_due(now)
        fired = answer["result"]["fired"] if status == CF_OK else []
        print(f"fire_due at {report_time}: SLA events recorded on {len(fired)} cases "
              f"(status {status})")
        overdue = at_risk = 0
        print(f"cases needing attention at {report_time} (Beijing time):")
        for case_id in cases:
            result = send(engine, {"op": "sla_status", "case_id": case_id, "now": now}, case_id)
            for clock in result["clocks"] if result else []:
                breached = clock["status"] == "breached"
                if not clock["active"] or not (breached or clock["warnings_fired"]):
                    continue
                minutes = abs(int(clock["remaining_ms"] / 60000))  # truncated, as in C
                label, words = ("OVERDUE", "late by") if breached else ("AT RISK", "left:")
                print(f"  {label:<8} {case_id:<14} {clock['sla']:<16} due {clock['due_local']}"
                      f"  {words} {minutes // 60} h {minutes % 60:02d} min")
                overdue += breached
                at_risk += not breached
        print(f"{overdue} overdue, {at_risk} at risk, of {len(cases)} cases")
        return 0
    finally:
        engine.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
