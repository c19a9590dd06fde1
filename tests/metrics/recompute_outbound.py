"""Recomputes the outbound measures of scenario 73 from the exported histories alone.

An independent check of docs/outbound.md and the metrics counters: from the `history` answers
the scenario holds (what Rust, C and Node all answer), it computes per account the posts, 原创率
and 政务指数 and the on-time rate of the two-week update clock (elapsed hours), and per operator
(the actor who first took `submit`) the releases, their shares by originality and kind, and the
on-time rate of 初审 in working hours on the China calendar; then compares every figure with the
scenario's `metrics` answers. It shares no code with the engine.

Run from the repository root: python3 tests/metrics/recompute_outbound.py
"""

import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenarios" / "73_outbound_metrics.json"
CALENDAR = json.loads((ROOT / "calendars" / "cn-mainland.json").read_text())
TEMPLATES = {t: json.loads((ROOT / "templates" / f"{t}.json").read_text())
             for t in ("publishing", "account-health")}
TZ = dt.timezone(dt.timedelta(hours=8))
HOUR = 3_600_000


def working_day(day):
    text = day.isoformat()
    if any(w["date"] == text for w in CALENDAR["working_days"]):
        return True
    for h in CALENDAR["holidays"]:
        if h.get("date") == text or h.get("from", "~") <= text <= h.get("to", ""):
            return False
    return day.weekday() < 5


def add_working_ms(start, amount):
    """The instant `amount` ms of working time after `start`, on the calendar's week hours."""
    at = dt.datetime.fromtimestamp(start / 1000, TZ)
    while True:
        day = at.date()
        if working_day(day):
            hours = CALENDAR["week"][["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday()]]
            for begin, end in hours:
                b = dt.datetime.combine(day, dt.time.fromisoformat(begin), TZ)
                e = dt.datetime.combine(day, dt.time.fromisoformat(end), TZ)
                if at >= e:
                    continue
                at = max(at, b)
                room = (e - at) / dt.timedelta(milliseconds=1)
                if amount <= room:
                    return int((at + dt.timedelta(milliseconds=amount)).timestamp() * 1000)
                amount -= room
                at = e
        at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), TZ)


def on_time(outcomes):
    met = outcomes.count("met")
    whole = met + outcomes.count("late") + outcomes.count("overdue")
    return round(met / whole, 4) if whole else None


def shares(counts, transition):
    return {k: round(n / counts[transition], 4) for k, n in counts.items()
            if "/" in k and counts.get(transition)}


def last_cycle(events, starts, stops, target, now, opened_start):
    """The outcome of a clock's last cycle: met, late, overdue or open (None: never started)."""
    started = None
    outcome = None
    for e in events:
        t = e.get("transition")
        if started is not None and t in stops:
            outcome = "met" if e["at"] < target(started) else "late"
            started = None
        if (e["type"] == "opened" and opened_start) or t in starts:
            started, outcome = e["at"], None
    if started is not None:
        outcome = "overdue" if now >= target(started) else "open"
    return outcome


def main():
    steps = json.loads(SCENARIO.read_text())["steps"]
    histories = {s["request"]["case_id"]: s["expect"]["result"]["events"]
                 for s in steps if s["request"]["op"] == "history"}
    queries = [s for s in steps if s["request"]["op"] == "metrics" and s["expect"]["ok"]
               and s["request"].get("format") != "csv"]
    checked = 0
    for q in queries:
        req, answer = q["request"], q["expect"]["result"]
        now, workflow = req["now"], req["workflow"]
        cases = {cid: ev for cid, ev in histories.items() if ev[0]["workflow"] == workflow}
        groups = defaultdict(lambda: {"counts": Counter(), "outcomes": defaultdict(list)})
        for cid, events in cases.items():
            if req["group_by"] == "field":
                group = events[0]["fields"].get(req["field"], "")
            else:
                group = next((e["actor"]["id"] for e in events
                              if e.get("transition") == req["actor_of"] and e["at"] <= now), "")
            g = groups[group]
            definition = TEMPLATES[workflow]
            sets = {t["id"]: set(t.get("set", [])) for t in definition["transitions"]}
            takes = {t["id"]: sets[t["id"]] | set(t.get("requires", []))
                     for t in definition["transitions"]}
            # The case's fields as they stand: opening values, then what each transition sets.
            final = dict(events[0]["fields"])
            for e in events:
                if e["type"] == "transitioned":
                    final.update({k: v for k, v in e["payload"].items() if k in sets[e["transition"]]})
            for e in (e for e in events if e["at"] <= now):
                for c in req["counts"]:
                    if e.get("transition") != c["transition"] or "by" not in c:
                        continue
                    # The payload's value when the transition takes the field, else the
                    # case's value at the measure (the engine's documented rule).
                    given = e.get("payload", {}) if c["by"] in takes[c["transition"]] else {}
                    value = given.get(c["by"], final.get(c["by"]))
                    if value is not None:
                        g["counts"]["%s/%s=%s" % (c["transition"], c["by"], json.dumps(value).strip('"'))] += 1
                # The transition's own count: once per event, however many counters split it.
                t = e.get("transition")
                if t in {c["transition"] for c in req["counts"]}:
                    g["counts"][t] += 1
            if workflow == "account-health":
                g["outcomes"]["update"].append(last_cycle(
                    events, {"post"}, {"post", "close_quarter"}, lambda s: s + 336 * HOUR, now, True))
            else:
                g["outcomes"]["first_review"].append(last_cycle(
                    events, {"submit"}, {"pass_first", "return_first"},
                    lambda s: add_working_ms(s, 4 * HOUR), now, False))
        for row in answer["rows"]:
            g = groups[row["group"]]
            counts = {k: row["counts"][k] for k in row["counts"] if row["counts"][k]}
            assert counts == dict(g["counts"]), (row["group"], counts, dict(g["counts"]))
            split = next((c["transition"] for c in req["counts"] if "by" in c), None)
            mine = shares(g["counts"], split) if split else {}
            assert {k: v for k, v in row.get("shares", {}).items() if v} == {k: v for k, v in mine.items() if v}, \
                (row["group"], row["shares"], mine)
            rule = "update" if workflow == "account-health" else "first_review"
            sla = next(s for s in answer["slas"] if s["group"] == row["group"] and s["sla"] == rule)
            mine = on_time([o for o in g["outcomes"][rule] if o])
            assert sla["on_time_rate_with_open_overdue"] == mine, (row["group"], rule, sla, mine)
            checked += 1
    print("recompute_outbound: %d rows of %d queries match" % (checked, len(queries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
