/* overdue: what a legacy 12345-hotline system does with civicflow at the end of a day.
 *
 * Reads the day's work-order events from a CSV export, replays them into an engine running the
 * 12345 template on the mainland China calendar, records the SLA warnings and breaches that fell
 * due (fire_due), and prints the cases that are overdue or at risk.
 *
 *   overdue <calendar.json> <template.json> <events.csv> <report time, "YYYY-MM-DD HH:MM" Beijing>
 *
 * CSV columns: time (Beijing, "YYYY-MM-DD HH:MM"), case_id, action, actor, role, unit, data.
 * action "open" opens a case with data "channel=...;summary=...;category=...;...";
 * any other action is a transition, with data "field=value;..." as its payload, or empty
 * (a value true or false is a boolean).
 * Fields hold no commas; lines starting with '#' are comments.
 *
 * Answers are JSON; this program reads them with jansson. Build: see the Makefile beside it.
 */
#define _DEFAULT_SOURCE /* timegm, strtok_r, strdup */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civicflow.h>

#define MAX_CASES 256

static char *case_ids[MAX_CASES];
static size_t case_count = 0;

/* Beijing time has been UTC+8 without daylight saving since 1991. */
static int64_t beijing_ms(const char *text) {
    struct tm tm = {0};
    if (sscanf(text, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min) != 5) {
        return INT64_MIN;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return ((int64_t)timegm(&tm) - 8 * 3600) * 1000;
}

/* Prints why a call failed: the first error of the answer, or the library's last error. */
static void report_failure(const char *what, cf_status status, const char *answer) {
    json_t *doc = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
    json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
    if (first != NULL) {
        fprintf(stderr, "%s: refused (status %d): %s: %s\n", what, (int)status,
                json_string_value(json_object_get(first, "code")),
                json_string_value(json_object_get(first, "message")));
    } else {
        char msg[512];
        size_t n;
        cf_last_error(msg, sizeof msg, &n);
        fprintf(stderr, "%s: failed (status %d): %s\n", what, (int)status, msg);
    }
    json_decref(doc);
}

/* Sends a request built with jansson; returns the parsed answer's result, or NULL. */
static json_t *send(cf_engine *engine, json_t *request, const char *what) {
    /* NULL when jansson refused to build it, e.g. from text that is not UTF-8 (an export in
     * GBK): report it rather than send nothing. */
    char *text = request != NULL ? json_dumps(request, JSON_COMPACT) : NULL;
    if (text == NULL) {
        fprintf(stderr, "%s: cannot build the request (is the input UTF-8?)\n", what);
        json_decref(request);
        return NULL;
    }
    char *answer = NULL;
    cf_status status = cf_engine_call(engine, text, strlen(text), &answer);
    free(text);
    json_decref(request);
    json_t *result = NULL;
    if (status == CF_OK) {
        json_t *doc = json_loads(answer, 0, NULL);
        result = json_incref(json_object_get(doc, "result"));
        json_decref(doc);
    } else {
        report_failure(what, status, answer);
    }
    cf_string_free(answer);
    return result;
}

/* Loads a JSON file as `{"op": op, key: <file>}`. */
static int load(cf_engine *engine, const char *op, const char *key, const char *path) {
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (doc == NULL) {
        fprintf(stderr, "%s: %s\n", path, err.text);
        return 0;
    }
    json_t *result = send(engine, json_pack("{s:s, s:o}", "op", op, key, doc), path);
    int loaded = result != NULL;
    json_decref(result);
    return loaded;
}

/* "a=1;b=true" into a JSON object of strings, and of booleans for true and false. */
static json_t *pairs(const char *data) {
    json_t *obj = json_object();
    char *copy = strdup(data), *save = NULL;
    for (char *pair = strtok_r(copy, ";", &save); pair; pair = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(pair, '=');
        if (eq != NULL) {
            *eq = '\0';
            const char *value = eq + 1;
            json_t *v = strcmp(value, "true") == 0    ? json_true()
                        : strcmp(value, "false") == 0 ? json_false()
                                                       : json_string(value);
            json_object_set_new(obj, pair, v);
        }
    }
    free(copy);
    return obj;
}

static json_t *actor(const char *id, const char *role, const char *unit) {
    json_t *a = json_pack("{s:s, s:[s]}", "id", id, "roles", role);
    if (*unit != '\0') {
        json_object_set_new(a, "unit", json_string(unit));
    }
    return a;
}

/* One CSV row. Transitions without payload take the typed fast path: no JSON to build. */
static void apply_row(cf_engine *engine, int64_t at, char **col, int line) {
    const char *case_id = col[1], *action = col[2], *who = col[3], *role = col[4], *unit = col[5],
               *data = col[6];
    char what[128];
    snprintf(what, sizeof what, "line %d (%s %s)", line, case_id, action);
    if (strcmp(action, "open") == 0) {
        json_t *fields = pairs(data);
        json_t *channel = json_incref(json_object_get(fields, "channel"));
        json_object_del(fields, "channel");
        json_t *req = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "op", "open_case",
                                "case_id", case_id, "workflow", "hotline-12345", "channel",
                                channel ? channel : json_string("hotline"), "fields", fields,
                                "actor", actor(who, role, unit), "at", (json_int_t)at);
        json_t *result = send(engine, req, what);
        if (result != NULL && case_count < MAX_CASES) {
            case_ids[case_count++] = strdup(case_id);
        }
        json_decref(result);
    } else if (*data != '\0') {
        json_t *req = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I}", "op", "apply", "case_id",
                                case_id, "transition", action, "payload", pairs(data), "actor",
                                actor(who, role, unit), "at", (json_int_t)at);
        json_decref(send(engine, req, what));
    } else {
        const char *roles[] = {role};
        size_t role_lens[] = {strlen(role)};
        char *answer = NULL;
        cf_status status = cf_engine_apply(
            engine, case_id, strlen(case_id), action, strlen(action), who, strlen(who),
            *unit ? unit : NULL, strlen(unit), roles, role_lens, 1, at, &answer);
        if (status != CF_OK) {
            report_failure(what, status, answer);
        }
        cf_string_free(answer);
    }
}

static int read_events(cf_engine *engine, const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 0;
    }
    char line[2048];
    int number = 0, rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        number++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        char *col[7] = {0};
        char *p = line;
        for (int i = 0; i < 7; i++) { /* empty fields matter: no strtok here */
            col[i] = p;
            p = strchr(p, ',');
            if (p == NULL) {
                for (int j = i + 1; j < 7; j++) col[j] = "";
                break;
            }
            *p++ = '\0';
        }
        int64_t at = beijing_ms(col[0]);
        if (at == INT64_MIN) {
            fprintf(stderr, "%s:%d: bad time '%s'\n", path, number, col[0]);
            continue;
        }
        apply_row(engine, at, col, number);
        rows++;
    }
    fclose(f);
    printf("replayed %d events for %zu cases from %s\n", rows, case_count, path);
    return 1;
}

/* Prints the case if one of its active clocks is breached (overdue) or has had a warning. */
static void report_case(cf_engine *engine, const char *case_id, int64_t now, int *overdue,
                        int *at_risk) {
    json_t *status = send(engine,
                          json_pack("{s:s, s:s, s:I}", "op", "sla_status", "case_id", case_id,
                                    "now", (json_int_t)now),
                          case_id);
    size_t i;
    json_t *clock;
    json_array_foreach(json_object_get(status, "clocks"), i, clock) {
        if (!json_is_true(json_object_get(clock, "active"))) continue;
        const char *state = json_string_value(json_object_get(clock, "status"));
        int breached = state != NULL && strcmp(state, "breached") == 0;
        int warned = json_array_size(json_object_get(clock, "warnings_fired")) > 0;
        if (!breached && !warned) continue;
        long long remaining = json_integer_value(json_object_get(clock, "remaining_ms")) / 60000;
        printf("  %-8s %-14s %-16s due %s  %s %lld h %02lld min\n",
               breached ? "OVERDUE" : "AT RISK", case_id,
               json_string_value(json_object_get(clock, "sla")),
               json_string_value(json_object_get(clock, "due_local")),
               breached ? "late by" : "left:", llabs(remaining) / 60, llabs(remaining) % 60);
        *overdue += breached;
        *at_risk += !breached;
    }
    json_decref(status);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <calendar.json> <template.json> <events.csv> "
                        "\"YYYY-MM-DD HH:MM\"\n", argv[0]);
        return 2;
    }
    if (cf_abi_version() != CF_ABI_VERSION) {
        fprintf(stderr, "civicflow.h (ABI %d) does not match the library (ABI %u)\n",
                CF_ABI_VERSION, cf_abi_version());
        return 2;
    }
    int64_t now = beijing_ms(argv[4]);
    if (now == INT64_MIN) {
        fprintf(stderr, "bad report time '%s': want \"YYYY-MM-DD HH:MM\"\n", argv[4]);
        return 2;
    }
    cf_engine *engine = cf_engine_new();
    int ok = load(engine, "load_calendar", "calendar", argv[1]) &&
             load(engine, "load_workflow", "definition", argv[2]) && read_events(engine, argv[3]);
    if (ok) {
        /* Record what fell due, as the nightly job does: warnings, breaches, escalations. */
        char *answer = NULL;
        cf_status status = cf_engine_fire_due(engine, now, &answer);
        json_t *doc = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
        size_t fired = json_array_size(json_object_get(json_object_get(doc, "result"), "fired"));
        printf("fire_due at %s: SLA events recorded on %zu cases (status %d)\n", argv[4], fired,
               (int)status);
        json_decref(doc);
        cf_string_free(answer);

        int overdue = 0, at_risk = 0;
        printf("cases needing attention at %s (Beijing time):\n", argv[4]);
        for (size_t i = 0; i < case_count; i++) {
            report_case(engine, case_ids[i], now, &overdue, &at_risk);
        }
        printf("%d overdue, %d at risk, of %zu cases\n", overdue, at_risk, case_count);
    }
    for (size_t i = 0; i < case_count; i++) free(case_ids[i]);
    cf_engine_free(engine);
    return ok ? 0 : 1;
}
