/* Runs the cross-language conformance suite (every .json file in tests/scenarios, format in
 * tests/README.md) through the C ABI, unchanged: every request goes in as JSON text through
 * cf_engine_call and every answer must equal the scenario's `expect`, as in the Rust runner,
 * and come with the status its first error code maps to.
 * JSON is read with jansson (Debian: libjansson-dev), which keeps 64-bit integers exact.
 *
 * Usage: test_conformance <tests/scenarios directory>
 */
#include <ctype.h>
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

/* Everything a request could change, as text: the snapshot, then the limits. Free with free(). */
static char *state(cf_engine *e) {
    char *data = snapshot(e);
    char *limits = NULL;
    call(e, "{\"op\":\"get_limits\"}", &limits);
    CHECK(data != NULL && limits != NULL);
    size_t n = (data ? strlen(data) : 0) + (limits ? strlen(limits) : 0) + 2;
    char *out = malloc(n);
    CHECK(out != NULL);
    snprintf(out, n, "%s\n%s", data ? data : "", limits ? limits : "");
    cf_string_free(data);
    cf_string_free(limits);
    return out;
}

/* The text of a `request_parts` step: each [text, times] pair repeated. Free with free(). */
static char *parts_text(json_t *parts, size_t *len) {
    size_t total = 0, i;
    json_t *part;
    json_array_foreach(parts, i, part) {
        json_int_t times = json_integer_value(json_array_get(part, 1));
        CHECK(json_is_string(json_array_get(part, 0)) && times >= 0 && times <= 100000000);
        total += json_string_length(json_array_get(part, 0)) * (size_t)times;
    }
    char *text = malloc(total + 1);
    CHECK(text != NULL);
    size_t at = 0;
    json_array_foreach(parts, i, part) {
        const char *piece = json_string_value(json_array_get(part, 0));
        size_t n = json_string_length(json_array_get(part, 0));
        for (json_int_t k = 0; k < json_integer_value(json_array_get(part, 1)); k++) {
            memcpy(text + at, piece, n);
            at += n;
        }
    }
    text[at] = '\0';
    *len = at;
    return text;
}

/* The bytes of a `request_hex` step. Free with free(). */
static unsigned char *hex_bytes(const char *hex, size_t *len) {
    CHECK(strlen(hex) % 2 == 0);
    size_t n = strlen(hex) / 2;
    unsigned char *bytes = malloc(n + 1);
    CHECK(bytes != NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned int b = 0;
        CHECK(isxdigit((unsigned char)hex[2 * i]) && isxdigit((unsigned char)hex[2 * i + 1]));
        CHECK(sscanf(hex + 2 * i, "%2x", &b) == 1);
        bytes[i] = (unsigned char)b;
    }
    *len = n;
    return bytes;
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
    if (strcmp(code, "request.too_large") == 0 || strcmp(code, "request.too_deep") == 0 ||
        strcmp(code, "request.string_too_long") == 0)
        return CF_ERR_TOO_LARGE;
    if (strcmp(code, "request.invalid_utf8") == 0) return CF_ERR_INVALID_UTF8;
    if (strcmp(code, "request.invalid_json") == 0) return CF_ERR_INVALID_JSON;
    if (strcmp(code, "request.invalid") == 0 || strcmp(code, "request.duplicate_key") == 0)
        return CF_ERR_INVALID_REQUEST;
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
    json_t *limits = json_object_get(scenario, "limits");
    if (limits != NULL) {
        json_t *req = json_pack("{s:s, s:O}", "op", "set_limits", "limits", limits);
        char *answer = NULL;
        if (send_value(e, req, &answer) != CF_OK) {
            fail(file, 0, "limits", answer != NULL ? answer : "no answer");
        }
        cf_string_free(answer);
        json_decref(req);
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
        char *before = unchanged ? state(e) : NULL;
        json_t *request = json_object_get(step, "request");
        json_t *request_text = json_object_get(step, "request_text");
        json_t *request_parts = json_object_get(step, "request_parts");
        json_t *request_hex = json_object_get(step, "request_hex");
        int given = (request != NULL) + (request_text != NULL) + (request_parts != NULL) +
                    (request_hex != NULL);
        char *answer = NULL;
        cf_status status = CF_ERR_INVALID_ARGUMENT;
        if (given != 1) {
            fail(file, i, name, "give exactly one of request, request_text, request_parts, "
                                "request_hex");
        } else if (request != NULL) {
            status = send_value(e, request, &answer);
        } else if (json_is_string(request_text)) {
            status = cf_engine_call(e, json_string_value(request_text),
                                    json_string_length(request_text), &answer);
        } else if (json_is_array(request_parts)) {
            size_t len = 0;
            char *text = parts_text(request_parts, &len);
            status = cf_engine_call(e, text, len, &answer);
            free(text);
        } else if (json_is_string(request_hex)) {
            size_t len = 0;
            unsigned char *bytes = hex_bytes(json_string_value(request_hex), &len);
            status = cf_engine_call(e, (const char *)bytes, len, &answer);
            free(bytes);
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
            char *after = state(e);
            if (strcmp(before, after) != 0) {
                fail(file, i, name, "changed the engine");
            }
            free(after);
        }
        free(before);
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
