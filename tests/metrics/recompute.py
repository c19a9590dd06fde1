"""Recomputes the metrics rates, scores and tiers of the worked examples from their CSV tables.

An independent check of docs/metrics.md: it reads the CSV answers that conformance scenarios
47 and 67 hold (what Rust, C and Node all answer), the query's scoring and the workflows'
evaluation scales, and computes 满意率, 解决率, 响应率, 直接办结率, the score and the tier of every
row again from the counts alone, with none of the engine's code.

Run from the repository root: python3 tests/metrics/recompute.py
"""

import csv
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"
DEFAULT_WEIGHTS = {"response_rate": 0.1, "resolution_rate": 0.5, "satisfaction_rate": 0.4}
ALIASES = {"response": "response_rate", "resolution": "resolution_rate",
           "satisfaction": "satisfaction_rate"}


def scale(workflow, basically):
    """Credit and poorness of each level; the default three levels when the workflow lists none."""
    callback = workflow.get("handling", {}).get("callback", {})
    if "levels" in callback:
        return {l["value"]: (l["credit"], l.get("poor", False)) for l in callback["levels"]}
    return {"satisfied": (1.0, False), "basically_satisfied": (basically, False),
            "unsatisfied": (0.0, True)}


def ratio(part, whole):
    return part / whole if whole else None


def close(a, b, places):
    return (a is None and b is None) or (a is not None and b is not None
                                         and abs(round(a, places) - b) < 10 ** -(places + 2))


def number(cell):
    return None if cell == "" else float(cell)


def check(name, query, tables, credits):
    scoring = query.get("scoring", {})
    weights = {ALIASES.get(k, k): w for k, w in scoring.get("weights", DEFAULT_WEIGHTS).items()}
    tiers = sorted(scoring.get("tiers", []), key=lambda t: -t["min"])
    slas = list(csv.DictReader(io.StringIO(tables["slas"])))
    scored = {}
    checked = 0
    for row in csv.DictReader(io.StringIO(tables["rows"])):
        n = {k: int(v) for k, v in row.items() if v.isdigit()}
        counts = {level: n.get(f"level:{level}", 0) for level in credits}
        credit = sum(counts[level] * c for level, (c, _) in credits.items())
        # Each rated callback is at exactly one level; the poor ones are the unsatisfied.
        assert n["rated"] == sum(counts.values()) <= n["callbacks"], (name, row["group"])
        poor = sum(counts[level] for level, (_, p) in credits.items() if p)
        assert n["unsatisfied"] == poor, (name, row["group"], "unsatisfied")
        rates = {
            "response_rate": ratio(n["contacted"], n["callbacks"]),
            "resolution_rate": ratio(n["solved"], n["callbacks"]),
            "satisfaction_rate": ratio(credit, n["rated"]),
            "first_contact_rate": ratio(n["first_contact"], n["closed"]),
        }
        for sla in slas:
            if sla["group"] == row["group"]:
                met, late, overdue = (int(sla[k]) for k in ("met", "late", "open_overdue"))
                rates["on_time:" + sla["sla"]] = ratio(met, met + late + overdue)
        for column in ("response_rate", "resolution_rate", "satisfaction_rate",
                       "first_contact_rate"):
            assert close(rates[column], number(row[column]), 4), (name, row["group"], column)
        weighed = [(rates.get(c), w) for c, w in weights.items() if w > 0]
        score = None
        if all(r is not None for r, _ in weighed):
            score = 100 * sum(r * w for r, w in weighed) / sum(w for _, w in weighed)
        assert close(score, number(row["score"]), 2), (name, row["group"], score, row["score"])
        tier = next((t["name"] for t in tiers if score is not None and t["min"] <= round(score, 2)), "")
        assert tier == row["tier"], (name, row["group"], tier, row["tier"])
        scored[row["group"]] = (row, score)
        checked += 1
    check_ranking(name, query, tables["ranking"], scored)
    return checked


def check_ranking(name, query, ranking, scored):
    """The ranked groups and their order, recomputed: groups with a score and enough valid
    callbacks (not the total, not the undispatched group by unit), by score then 解决率."""
    least = query.get("scoring", {}).get("min_callbacks", 1)
    by_unit = query.get("group_by", "unit") == "unit"
    expected = []
    for group, (row, score) in scored.items():
        if group == "*" or (by_unit and group == "") or score is None:
            continue
        if int(row["callbacks"]) < least:
            continue
        peers = row["kind"] if by_unit else ""
        expected.append((peers, -round(score, 2), -(number(row["resolution_rate"]) or -1), group))
    expected.sort()
    shown = [(r["peers"], r["group"]) for r in csv.DictReader(io.StringIO(ranking))]
    assert shown == [(p, g) for p, _, _, g in expected], (name, shown, expected)


def main():
    total = 0
    for name, workflow in [("47_metrics.json", "templates/township.json"),
                           ("67_evaluation_levels.json", "tests/workflows/evaluation.json")]:
        scenario = json.loads((SCENARIOS / name).read_text(encoding="utf-8"))
        definition = json.loads((ROOT / workflow).read_text(encoding="utf-8"))
        # One scale per scenario: level columns are counted by value across workflows.
        assert [Path(p).name for p in scenario["load"]] == [Path(workflow).name], name
        for step in scenario["steps"]:
            query = step["request"]
            if query.get("op") != "metrics" or query.get("format") != "csv":
                continue
            basically = query.get("scoring", {}).get("basically_satisfied", 0.9)
            total += check(name, query, step["expect"]["result"], scale(definition, basically))
    if total == 0:
        sys.exit("no CSV metrics found in the scenarios")
    print(f"recomputed {total} rows of metrics from CSV: rates, scores, tiers, rated and "
          "unsatisfied counts and the rankings agree")


if __name__ == "__main__":
    main()
