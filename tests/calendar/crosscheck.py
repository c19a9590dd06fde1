#!/usr/bin/env python3
"""Cross-checks calendars/cn-mainland.json against an independent public dataset.

The dataset is the PyPI package `chinesecalendar` (LKI/chinese-calendar), maintained apart from
civicflow from the same State Council notices. For every date from the first to the last covered
year this checks that both agree on working day versus rest day, and that every working day the
calendar declares (调休) is a working day in the dataset. It prints the dates checked.

Usage: python3 tests/calendar/crosscheck.py [calendar.json]   (needs `pip install chinesecalendar`)
"""
import datetime
import json
import sys
from pathlib import Path

import chinese_calendar

root = Path(__file__).resolve().parents[2]
path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "calendars" / "cn-mainland.json"
cal = json.loads(path.read_text(encoding="utf-8"))

weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
works_by_weekday = [bool(cal["week"].get(d)) for d in weekdays]


def day(s):
    return datetime.date.fromisoformat(s)


holidays = set()
for h in cal["holidays"]:
    first, last = (day(h["date"]), day(h["date"])) if "date" in h else (day(h["from"]), day(h["to"]))
    d = first
    while d <= last:
        holidays.add(d)
        d += datetime.timedelta(days=1)
extra = {day(w["date"]) for w in cal["working_days"]}

first = datetime.date(cal["years"]["from"], 1, 1)
last = datetime.date(cal["years"]["to"], 12, 31)
mismatches, checked, d = [], 0, first
while d <= last:
    ours = d in extra or (d not in holidays and works_by_weekday[d.weekday()])
    theirs = chinese_calendar.is_workday(d)
    if ours != theirs:
        mismatches.append(f"{d}: calendar says {'working' if ours else 'rest'}, dataset says {'working' if theirs else 'rest'}")
    checked += 1
    d += datetime.timedelta(days=1)
for w in sorted(extra):
    if w not in chinese_calendar.constants.workdays:
        mismatches.append(f"{w}: declared a swapped working day, the dataset does not list it")

print(f"cross-check {path.name} against chinesecalendar {chinese_calendar.__version__}: "
      f"{checked} dates {first}..{last}, {len(holidays)} holiday dates, {len(extra)} swapped working days")
print("swapped working days checked: " + ", ".join(str(w) for w in sorted(extra)))
if mismatches:
    print("\n".join(mismatches))
    print(f"0 passed, {len(mismatches)} failed")
    sys.exit(1)
print(f"{checked} passed, 0 failed")
