/* Runs the cross-language conformance suite (every .json file in tests/scenarios, format in
 * tests/README.md) through the C ABI, unchanged: every request goes in as JSON text through
 * cf_engine_call and every answer must equal the scenario's `expect`, as in the Rust runner,
 * and come with the status its first error code maps to.
 * JSON is read with jansson (Debian: libjansson-dev), which keeps 64-bit integers exact.
 *
 * Usage: test_conformance <tests/scenarios directory>
 */
#include <dirent.h>
#include <jansson.h>

#include "check.h"
#include "common.h"

static int failures = 0;

static void fail(const char *file, size_t step, const char *name, const char *what) {
    failures++;
    fprintf(stderr, "%s: step %zu (%s): %s\n", file, step, name, what);
}

/* Sends a JSON value as compact text with sorted keys, as serde_json writes it in the Rust
 * runner, so that size limits see the same bytes. */
static cf_status send_value(cf_engine *e, json_t *request, char **answer) {
    char *text = json_dumps(request, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (text == NULL) {
        *answer = NULL;
        return CF_ERR_INVALID_ARGUMENT;
    }
    cf_status s = call(e, text, answer);
    free(text);
    return s;
}

/* Loads each file listed under `key` with `{"op": op, field: <file>}`; they must succeed. */
static void preload(cf_engine *e, json_t *scenario, const char *key, const char *op,
                    const char *field, const char *dir, const char *file) {
    json_t *list = json_object_get(scenario, key);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, json_string_value(item));
        json_error_t err;
        json_t *doc = json_load_file(path, 0, &err);
        if (doc == NULL) {
            fail(file, i, key, err.text);
            continue;
        }
        json_t *req = json_pack("{s:s, s:o}", "op", op, field, doc);
        char *answer = NULL;
        if (send_value(e, req, &answer) != CF_OK) {
            fail(file, i, key, answer != NULL ? answer : "no answer");
        }
        cf_string_free(answer);
        json_decref(req);
    }
}

/* The status an answer must come with: CF_OK exactly when it is ok, otherwise the status of
 * its first error's code (docs/c-api.md). */
static cf_status expected_status(json_t *answer) {
    if (json_is_true(json_object_get(answer, "ok"))) return CF_OK;
    json_t *first = json_array_get(json_object_get(answer, "errors"), 0);
    const char *code = json_string_value(json_object_get(first, "code"));
    if (code == NULL) return CF_ERR_INVALID_ARGUMENT; /* no answer: never a valid outcome */
    if (strcmp(code, "request.too_large") == 0) return CF_ERR_TOO_LARGE;
    if (strcmp(code, "request.invalid_utf8") == 0) return CF_ERR_INVALID_UTF8;
    if (strcmp(code, "request.invalid_json") == 0) return CF_ERR_INVALID_JSON;
    if (strcmp(code, "request.invalid") == 0) return CF_ERR_INVALID_REQUEST;
    return CF_ERR_REJECTED;
}

/* Runs one scenario file; returns its number of steps. */
static size_t run(const char *dir, const char *file) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    json_error_t err;
    json_t *scenario = json_load_file(path, 0, &err);
    if (scenario == NULL) {
        fail(file, 0, "load", err.text);
        return 0;
    }
    cf_engine *e = cf_engine_new();
    json_t *max = json_object_get(json_object_get(scenario, "limits"), "max_request_bytes");
    if (json_is_integer(max)) {
        CHECK_STATUS(cf_engine_set_max_request_bytes(e, (size_t)json_integer_value(max)), CF_OK);
    }
    preload(e, scenario, "calendars", "load_calendar", "calendar", dir, file);
    preload(e, scenario, "load", "load_workflow", "definition", dir, file);

    json_t *steps = json_object_get(scenario, "steps");
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step) {
        const char *name = json_string_value(json_object_get(step, "name"));
        name = name != NULL ? name : "";
        int unchanged = json_is_true(json_object_get(step, "unchanged"));
        char *before = unchanged ? snapshot(e) : NULL;
        json_t *request = json_object_get(step, "request");
        json_t *request_text = json_object_get(step, "request_text");
        char *answer = NULL;
        cf_status status = CF_ERR_INVALID_ARGUMENT;
        if (request != NULL && request_text == NULL) {
            status = send_value(e, request, &answer);
        } else if (request == NULL && json_is_string(request_text)) {
            status = cf_engine_call(e, json_string_value(request_text),
                                    json_string_length(request_text), &answer);
        } else {
            fail(file, i, name, "give exactly one of request, request_text");
        }
        json_t *expect = json_object_get(step, "expect");
        json_t *got = answer != NULL ? json_loads(answer, 0, &err) : NULL;
        cf_status want = expected_status(got);
        if (status != want) {
            char what[96];
            snprintf(what, sizeof what, "status %d, want %d", (int)status, (int)want);
            fail(file, i, name, what);
        }
        if (expect == NULL) {
            fail(file, i, name, "no expect");
        } else if (got == NULL || !json_equal(expect, got)) {
            char *want = json_dumps(expect, JSON_COMPACT | JSON_SORT_KEYS);
            fprintf(stderr, "  expected %s\n  got      %s\n", want, answer ? answer : "(none)");
            free(want);
            fail(file, i, name, "answer differs");
        }
        if (before != NULL) {
            char *after = snapshot(e);
            if (after == NULL || strcmp(before, after) != 0) {
                fail(file, i, name, "changed the engine");
            }
            cf_string_free(after);
        }
        cf_string_free(before);
        cf_string_free(answer);
        json_decref(got);
    }
    size_t count = json_array_size(steps);
    json_decref(scenario);
    cf_engine_free(e);
    return count;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scenarios dir>\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        perror(argv[1]);
        return 2;
    }
    char *files[1024];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL && count < 1024) {
        size_t len = strlen(entry->d_name);
        if (len > 5 && strcmp(entry->d_name + len - 5, ".json") == 0) {
            files[count++] = strdup(entry->d_name);
        }
    }
    closedir(d);
    qsort(files, count, sizeof files[0], by_name);
    size_t steps = 0;
    for (size_t i = 0; i < count; i++) {
        steps += run(argv[1], files[i]);
        free(files[i]);
    }
    CHECK(count >= 30);
    CHECK(failures == 0);
    if (failures == 0) {
        printf("conformance through the C ABI: %zu scenarios, %zu steps passed\n", count, steps);
    }
    return check_report("test_conformance");
}
