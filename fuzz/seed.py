#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/seeds/<target>/) from the conformance scenarios, the
templates and the calendars, so that fuzzing starts from inputs that reach deep. Run it again
after adding scenarios; the seeds are committed."""
import glob
import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEMPLATES = {"hotline-12345.json", "township.json", "xinfang-2022.json"}
# Inputs past this are left out of the seeds: a fuzzer mutates small inputs best.
SEED_BYTES = 65536


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


seeds = {t: {} for t in ["definition", "calendar", "org", "history", "requests", "c_abi"]}


def add(target, name, text):
    data = text.encode("utf-8", "surrogateescape")
    seeds[target].setdefault(hashlib.sha1(data).hexdigest()[:16], (name, data))


for path in sorted(glob.glob(os.path.join(ROOT, "templates", "*.json"))) + sorted(
    glob.glob(os.path.join(ROOT, "tests", "workflows", "*.json"))
):
    add("definition", os.path.basename(path), compact(read(path)))
for path in sorted(glob.glob(os.path.join(ROOT, "calendars", "*.json"))):
    add("calendar", os.path.basename(path), compact(read(path)))

for path in sorted(glob.glob(os.path.join(ROOT, "tests", "scenarios", "*.json"))):
    scenario = read(path)
    name = os.path.basename(path)[:-5]
    lines = []
    # The C target starts from an empty engine: it gets every load, templates included.
    loads = []
    here = os.path.dirname(path)
    for cal in scenario.get("calendars", []):
        line = compact({"op": "load_calendar", "calendar": read(os.path.join(here, cal))})
        lines.append(line)
        loads.append(line)
    for load in scenario.get("load", []):
        line = compact({"op": "load_workflow", "definition": read(os.path.join(here, load))})
        loads.append(line)
        if os.path.basename(load) not in TEMPLATES:
            lines.append(line)
    for step in scenario["steps"]:
        request = step.get("request")
        if request is None:
            # Raw text, bytes and huge inputs built from parts: as they are, one line each,
            # but none over SEED_BYTES (the limits they hit are tested by the scenarios).
            if "request_text" in step:
                raw = step["request_text"]
            elif "request_hex" in step:
                raw = bytes.fromhex(step["request_hex"]).decode("utf-8", "surrogateescape")
            else:
                raw = "".join(text * times for text, times in step["request_parts"])
            if len(raw) <= SEED_BYTES:
                lines.append(raw.replace("\n", " "))
            continue
        op = request.get("op") if isinstance(request, dict) else None
        if op in ("validate_workflow", "load_workflow") and isinstance(request.get("definition"), dict):
            add("definition", name, compact(request["definition"]))
        if op == "load_calendar" and isinstance(request.get("calendar"), dict):
            add("calendar", name, compact(request["calendar"]))
        if op == "load_org" and isinstance(request.get("org"), dict):
            add("org", name, compact(request["org"]))
        if op in ("replay", "verify_history") and isinstance(request.get("history"), list):
            add("history", name, compact(request["history"]))
        events = step.get("expect", {}).get("result", {})
        if op == "history" and isinstance(events, dict) and isinstance(events.get("events"), list):
            add("history", name, compact(events["events"]))
        lines.append(compact(request))
    add("requests", name, "\n".join(lines))
    # The C target reads its first 16 lines: each scenario's loads, then its first requests.
    steps = lines[len(scenario.get("calendars", [])):]
    steps = [l for l in steps if l not in loads]
    add("c_abi", name, "\n".join((loads + steps)[:16]))

for target, entries in seeds.items():
    out = os.path.join(HERE, "seeds", target)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for digest, (name, data) in sorted(entries.items()):
        with open(os.path.join(out, f"{name}-{digest}"), "wb") as f:
            f.write(data)
    print(f"{target}: {len(entries)} seeds, {sum(len(d) for _, d in entries.values())} bytes")
