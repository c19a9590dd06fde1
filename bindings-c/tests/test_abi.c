/* The C ABI, function by function: lifecycle, every status code, NULL arguments, invalid
 * UTF-8, truncated and huge inputs, freeing NULL, error text into small buffers, limits, the
 * typed fast paths, and the panic path. Every refused input is shown to change nothing.
 *
 * Usage: test_abi <path to tests/workflows/permit.json>
 */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "common.h"

/* A pointer the library must overwrite: proves out-arguments are set on every path. */
static char sentinel_byte;
#define SENTINEL (&sentinel_byte)

static const char *OPEN =
    "{\"op\":\"open_case\",\"case_id\":\"P-1\",\"workflow\":\"permit\",\"channel\":\"web\","
    "\"fields\":{\"applicant\":\"王五\",\"kind\":\"repair\"},"
    "\"actor\":{\"id\":\"clerk-1\",\"roles\":[\"clerk\"]},\"at\":1767225600000}";

static cf_engine *engine_with_case(const char *permit) {
    cf_engine *e = cf_engine_new();
    char *answer = NULL;
    CHECK_STATUS(call_with_file(e, "load_workflow", "definition", permit, &answer), CF_OK);
    cf_string_free(answer);
    CHECK_STATUS(call(e, OPEN, &answer), CF_OK);
    CHECK(contains(answer, "\"state\":\"draft\""));
    cf_string_free(answer);
    return e;
}

/* Fails unless the engine's snapshot is still `before`; frees both and the engine. */
static void check_unchanged_and_free(cf_engine *e, char *before) {
    char *after = snapshot(e);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    cf_string_free(before);
    cf_string_free(after);
    cf_engine_free(e);
}

static void test_versions(void) {
    CHECK(strcmp(cf_version(), CF_VERSION) == 0);
    CHECK(cf_abi_version() == CF_ABI_VERSION);
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CF_VERSION_MAJOR, CF_VERSION_MINOR,
             CF_VERSION_PATCH);
    CHECK(strcmp(expected, CF_VERSION) == 0);
}

static void test_lifecycle_and_free_null(void) {
    cf_engine *e = cf_engine_new();
    CHECK(e != NULL);
    char *answer = SENTINEL;
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\"}", &answer), CF_OK);
    static const char empty[] = "{\"ok\":true,\"result\":{\"digest\":\"";
    CHECK(answer != SENTINEL && strncmp(answer, empty, sizeof empty - 1) == 0);
    CHECK(answer != SENTINEL && contains(answer, "\"workflows\":[]}}"));
    CHECK(cf_last_error_length() == 0);
    cf_string_free(answer);
    cf_engine_free(e);
    cf_engine_free(NULL);
    cf_string_free(NULL);
    /* Many engines, created and freed in any order. */
    cf_engine *many[16];
    for (int i = 0; i < 16; i++) many[i] = cf_engine_new();
    for (int i = 15; i >= 0; i -= 2) cf_engine_free(many[i]);
    for (int i = 0; i < 16; i += 2) cf_engine_free(many[i]);
}

/* cf_engine_clone: the definitions, none of the cases; the original unchanged. */
static void test_clone(const char *permit) {
    cf_engine *e = engine_with_case(permit);
    char *before = snapshot(e);
    cf_engine *copy = (cf_engine *)SENTINEL;
    CHECK_STATUS(cf_engine_clone(e, &copy), CF_OK);
    CHECK(copy != NULL && copy != (cf_engine *)SENTINEL);
    char *mine = NULL, *theirs = NULL;
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\"}", &mine), CF_OK);
    CHECK_STATUS(call(copy, "{\"op\":\"list_workflows\"}", &theirs), CF_OK);
    CHECK(mine != NULL && theirs != NULL && strcmp(mine, theirs) == 0);
    cf_string_free(mine);
    cf_string_free(theirs);
    char *answer = NULL;
    CHECK_STATUS(call(copy, "{\"op\":\"get_case\",\"case_id\":\"P-1\"}", &answer),
                 CF_ERR_REJECTED);
    CHECK(contains(answer, "case.not_found"));
    cf_string_free(answer);
    /* The same case opens in the copy and leaves the original as it was. */
    CHECK_STATUS(call(copy, OPEN, &answer), CF_OK);
    cf_string_free(answer);
    cf_engine_free(copy);
    copy = (cf_engine *)SENTINEL;
    CHECK_STATUS(cf_engine_clone(NULL, &copy), CF_ERR_NULL_ARGUMENT);
    CHECK(copy == NULL);
    CHECK_STATUS(cf_engine_clone(e, NULL), CF_ERR_NULL_ARGUMENT);
    check_unchanged_and_free(e, before);
}

static void test_null_arguments(const char *permit) {
    cf_engine *e = engine_with_case(permit);
    char *before = snapshot(e);
    char *answer = SENTINEL;
    const char *req = "{\"op\":\"list_workflows\"}";
    char msg[128];
    size_t n;

    CHECK_STATUS(cf_engine_call(NULL, req, strlen(req), &answer), CF_ERR_NULL_ARGUMENT);
    CHECK(answer == NULL);
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(strcmp(msg, "argument `engine` is NULL") == 0 && n == strlen(msg));

    answer = SENTINEL;
    CHECK_STATUS(cf_engine_call(e, NULL, 3, &answer), CF_ERR_NULL_ARGUMENT);
    CHECK(answer == NULL);
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(strcmp(msg, "argument `request` is NULL") == 0);

    CHECK_STATUS(cf_engine_call(e, req, strlen(req), NULL), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(strcmp(msg, "argument `response` is NULL") == 0);

    answer = SENTINEL;
    CHECK_STATUS(cf_engine_apply(NULL, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, NULL, NULL, 0, 0,
                                 &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK(answer == NULL);
    const char *roles[] = {"chief"};
    size_t lens[] = {5};
    CHECK_STATUS(cf_engine_apply(e, NULL, 3, "cancel", 6, "c", 1, NULL, 0, roles, lens, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, NULL, 6, "c", 1, NULL, 0, roles, lens, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, NULL, 1, NULL, 0, roles, lens, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, NULL, lens, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(strcmp(msg, "argument `roles` is NULL") == 0);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, roles, NULL, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    const char *null_role[] = {NULL};
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, null_role, lens, 1,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, roles, lens, 1,
                                 1767225600001, NULL),
                 CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_due(NULL, 0, 10, &answer), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_due(e, 0, 10, NULL), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_fire_due(NULL, 0, &answer), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_fire_due(e, 0, NULL), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_set_max_request_bytes(NULL, 10), CF_ERR_NULL_ARGUMENT);
    size_t limit = 0;
    CHECK_STATUS(cf_engine_max_request_bytes(NULL, &limit), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_engine_max_request_bytes(e, NULL), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_last_error(NULL, 10, &n), CF_ERR_NULL_ARGUMENT);
    CHECK_STATUS(cf_last_error(msg, sizeof msg, NULL), CF_ERR_NULL_ARGUMENT);

    check_unchanged_and_free(e, before);
}

static void test_bad_requests(const char *permit) {
    cf_engine *e = engine_with_case(permit);
    char *before = snapshot(e);
    char *answer = NULL;

    /* Invalid UTF-8, inside a string and outside. */
    const char bad_utf8[] = "{\"op\":\"get_case\",\"case_id\":\"P-\xff\"}";
    CHECK_STATUS(cf_engine_call(e, bad_utf8, sizeof bad_utf8 - 1, &answer), CF_ERR_INVALID_UTF8);
    CHECK(contains(answer, "\"code\":\"request.invalid_utf8\""));
    CHECK(contains(answer, "from offset 30 on"));
    cf_string_free(answer);
    const char overlong[] = "\xc0\xaf";
    CHECK_STATUS(cf_engine_call(e, overlong, 2, &answer), CF_ERR_INVALID_UTF8);
    cf_string_free(answer);

    /* Every truncation of a valid request is refused, as JSON that ends too soon. */
    size_t len = strlen(OPEN);
    int refused = 0;
    for (size_t cut = 0; cut < len; cut++) {
        cf_status s = cf_engine_call(e, OPEN, cut, &answer);
        refused += (s == CF_ERR_INVALID_JSON || s == CF_ERR_INVALID_UTF8);
        cf_string_free(answer);
    }
    CHECK(refused == (int)len);
    CHECK_STATUS(cf_engine_call(e, "", 0, &answer), CF_ERR_INVALID_JSON);
    CHECK(contains(answer, "\"code\":\"request.invalid_json\""));
    cf_string_free(answer);
    /* Embedded NUL bytes are data, not terminators. */
    const char nul[] = "{\"op\":\"list_workflows\"}\0garbage";
    CHECK_STATUS(cf_engine_call(e, nul, sizeof nul - 1, &answer), CF_ERR_INVALID_JSON);
    cf_string_free(answer);

    /* JSON that is not a request; a request the engine refuses. */
    CHECK_STATUS(call(e, "{\"op\":\"fly\"}", &answer), CF_ERR_INVALID_REQUEST);
    CHECK(contains(answer, "\"code\":\"request.invalid\""));
    cf_string_free(answer);
    CHECK_STATUS(call(e, "[1,2]", &answer), CF_ERR_INVALID_REQUEST);
    cf_string_free(answer);
    CHECK_STATUS(call(e, "{\"op\":\"get_case\",\"case_id\":\"nope\"}", &answer), CF_ERR_REJECTED);
    CHECK(contains(answer, "\"ok\":false") && contains(answer, "\"code\":\"case.not_found\""));
    cf_string_free(answer);
    char msg[256];
    size_t n;
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(strncmp(msg, "case.not_found: ", 16) == 0);

    /* A chief-only transition tried by a clerk: refused, with the answer's errors. */
    const char *clerk[] = {"clerk"};
    size_t clerk_len[] = {5};
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "clerk-1", 7, NULL, 0, clerk, clerk_len,
                                 1, 1767225600001, &answer),
                 CF_ERR_REJECTED);
    CHECK(contains(answer, "\"code\":\"case.role_not_allowed\""));
    cf_string_free(answer);

    check_unchanged_and_free(e, before);
}

static void test_limits(const char *permit) {
    cf_engine *e = engine_with_case(permit);
    char *before = snapshot(e);
    char *answer = NULL;
    size_t limit = 0;
    CHECK_STATUS(cf_engine_max_request_bytes(e, &limit), CF_OK);
    CHECK(limit == 16777216);

    /* A request one byte over the default limit: refused before it is read. */
    size_t huge = limit + 1;
    char *big = calloc(huge, 1);
    CHECK_STATUS(cf_engine_call(e, big, huge, &answer), CF_ERR_TOO_LARGE);
    CHECK(contains(answer, "request is 16777217 bytes, more than the limit of 16777216"));
    cf_string_free(answer);
    free(big);
    /* A length no buffer could have is refused without touching the bytes. */
    CHECK_STATUS(cf_engine_call(e, "{}", SIZE_MAX, &answer), CF_ERR_TOO_LARGE);
    cf_string_free(answer);

    CHECK_STATUS(cf_engine_set_max_request_bytes(e, 0), CF_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(cf_engine_set_max_request_bytes(e, SIZE_MAX), CF_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(cf_engine_max_request_bytes(e, &limit), CF_OK);
    CHECK(limit == 16777216);

    CHECK_STATUS(cf_engine_set_max_request_bytes(e, 32), CF_OK);
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\"}", &answer), CF_OK);
    cf_string_free(answer);
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\",    \"x\":1}", &answer), CF_ERR_TOO_LARGE);
    cf_string_free(answer);
    /* The typed path counts its strings and roles against the same limit. */
    const char *roles[] = {"chief", "chief", "chief"};
    size_t lens[] = {5, 5, 5};
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-123", 9, NULL, 0, roles, lens,
                                 3, 1767225600001, &answer),
                 CF_ERR_TOO_LARGE);
    CHECK(contains(answer, "request is 36 bytes, more than the limit of 32"));
    cf_string_free(answer);
    /* A role count over the limit is refused before the arrays are read. */
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "c", 1, NULL, 0, roles, lens, 1000000,
                                 1767225600001, &answer),
                 CF_ERR_TOO_LARGE);
    cf_string_free(answer);

    check_unchanged_and_free(e, before); /* a snapshot request is 17 bytes: under the limit */
}

static void test_last_error_buffers(void) {
    cf_engine *e = cf_engine_new();
    char *answer = NULL;
    /* A message with multi-byte characters: the case id is echoed in it. */
    CHECK_STATUS(call(e, "{\"op\":\"get_case\",\"case_id\":\"案件-甲\"}", &answer), CF_ERR_REJECTED);
    cf_string_free(answer); /* does not clear the message */
    size_t full = cf_last_error_length();
    char whole[256];
    size_t n = 0;
    CHECK_STATUS(cf_last_error(whole, sizeof whole, &n), CF_OK);
    CHECK(n == full && strlen(whole) == full);
    const char *wide = strstr(whole, "案");
    CHECK(wide != NULL);
    size_t at = (size_t)(wide - whole);

    char small[256];
    memset(small, 'x', sizeof small);
    CHECK_STATUS(cf_last_error(small, 0, &n), CF_ERR_TRUNCATED);
    CHECK(n == 0 && small[0] == 'x'); /* nothing written at all */
    CHECK_STATUS(cf_last_error(small, 1, &n), CF_ERR_TRUNCATED);
    CHECK(n == 0 && small[0] == '\0');
    CHECK_STATUS(cf_last_error(small, 5, &n), CF_ERR_TRUNCATED);
    CHECK(n == 4 && strncmp(small, whole, 4) == 0 && small[4] == '\0');
    /* Room for the first byte of 案 (3 bytes) and more, but not all of it: cut before it. */
    for (size_t extra = 1; extra <= 3; extra++) {
        memset(small, 'x', sizeof small);
        CHECK_STATUS(cf_last_error(small, at + extra, &n), CF_ERR_TRUNCATED);
        CHECK(n == at && small[at] == '\0');
    }
    CHECK_STATUS(cf_last_error(small, at + 4, &n), CF_ERR_TRUNCATED);
    CHECK(n == at + 3);
    CHECK_STATUS(cf_last_error(small, full, &n), CF_ERR_TRUNCATED); /* no room for the NUL */
    CHECK_STATUS(cf_last_error(small, full + 1, &n), CF_OK);
    CHECK(n == full && strcmp(small, whole) == 0);

    /* A success clears it; reading it does not. */
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\"}", &answer), CF_OK);
    cf_string_free(answer);
    CHECK(cf_last_error_length() == 0);
    CHECK_STATUS(cf_last_error(small, sizeof small, &n), CF_OK);
    CHECK(n == 0 && small[0] == '\0');
    cf_engine_free(e);
}

static void test_typed_paths(const char *permit) {
    cf_engine *e = engine_with_case(permit);
    char *answer = NULL;
    const char *roles[] = {"clerk", "chief"};
    size_t lens[] = {5, 5};

    /* Invalid UTF-8 in the second role: refused with the path of that role. */
    const char *bad_roles[] = {"clerk", "chi\xe9" "f"};
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-1", 7, NULL, 0, bad_roles, lens,
                                 2, 1767225600001, &answer),
                 CF_ERR_INVALID_UTF8);
    CHECK(contains(answer, "\"path\":\"/actor/roles/1\""));
    cf_string_free(answer);
    CHECK_STATUS(cf_engine_apply(e, "P-\x80", 3, "cancel", 6, "chief-1", 7, NULL, 0, roles, lens,
                                 2, 1767225600001, &answer),
                 CF_ERR_INVALID_UTF8);
    CHECK(contains(answer, "\"path\":\"/case_id\""));
    cf_string_free(answer);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-1", 7, "\xff", 1, roles, lens, 2,
                                 1767225600001, &answer),
                 CF_ERR_INVALID_UTF8);
    CHECK(contains(answer, "\"path\":\"/actor/unit\""));
    cf_string_free(answer);

    /* Lengths no buffer could have, in a string or in a role, are refused before reading. */
    CHECK_STATUS(cf_engine_apply(e, "P-1", SIZE_MAX, "cancel", 6, "chief-1", 7, NULL, 0, roles,
                                 lens, 2, 1767225600001, &answer),
                 CF_ERR_TOO_LARGE);
    cf_string_free(answer);
    size_t huge_lens[] = {5, SIZE_MAX};
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-1", 7, NULL, 0, roles,
                                 huge_lens, 2, 1767225600001, &answer),
                 CF_ERR_TOO_LARGE);
    cf_string_free(answer);
    /* Empty strings are non-NULL with length 0: read, and refused by the engine for what
     * they mean; NULL stays NULL even with length 0. No roles: NULL arrays with count 0. */
    CHECK_STATUS(cf_engine_apply(e, "", 0, "cancel", 6, "chief-1", 7, NULL, 99, roles, lens, 2,
                                 1767225600001, &answer),
                 CF_ERR_REJECTED);
    CHECK(contains(answer, "\"code\":\"case.not_found\""));
    cf_string_free(answer);
    CHECK_STATUS(cf_engine_apply(e, NULL, 0, "cancel", 6, "chief-1", 7, NULL, 0, roles, lens, 2,
                                 1767225600001, &answer),
                 CF_ERR_NULL_ARGUMENT);
    CHECK(answer == NULL);
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-1", 7, NULL, 0, NULL, NULL, 0,
                                 1767225600001, &answer),
                 CF_ERR_REJECTED);
    CHECK(contains(answer, "\"code\":\"case.role_not_allowed\""));
    cf_string_free(answer);

    /* Strings need no NUL: lengths cut "P-1xyz" to "P-1". */
    CHECK_STATUS(cf_engine_apply(e, "P-1xyz", 3, "cancelled", 6, "chief-1", 7, "district-3", 10,
                                 roles, lens, 2, 1767225600001, &answer),
                 CF_OK);
    CHECK(contains(answer, "\"state\":\"cancelled\""));
    CHECK(contains(answer, "\"unit\":\"district-3\""));
    cf_string_free(answer);

    /* The same answer as the JSON op: compare with a second engine driven by JSON only. */
    cf_engine *json_only = engine_with_case(permit);
    char *via_json = NULL;
    CHECK_STATUS(call(json_only,
                      "{\"op\":\"apply\",\"case_id\":\"P-1\",\"transition\":\"cancel\","
                      "\"actor\":{\"id\":\"chief-1\",\"roles\":[\"clerk\",\"chief\"],"
                      "\"unit\":\"district-3\"},\"at\":1767225600001}",
                      &via_json),
                 CF_OK);
    char *a = snapshot(e), *b = snapshot(json_only);
    CHECK(strcmp(a, b) == 0);
    cf_string_free(a);
    cf_string_free(b);
    cf_string_free(via_json);
    cf_engine_free(json_only);

    /* A closed case refuses more. */
    CHECK_STATUS(cf_engine_apply(e, "P-1", 3, "cancel", 6, "chief-1", 7, NULL, 0, roles, lens, 2,
                                 1767225600002, &answer),
                 CF_ERR_REJECTED);
    cf_string_free(answer);

    /* No SLA rules in this workflow: nothing is due, nothing fires. */
    CHECK_STATUS(cf_engine_due(e, 1767225600002, 10, &answer), CF_OK);
    CHECK(strcmp(answer, "{\"ok\":true,\"result\":{\"now\":1767225600002,\"timers\":[]}}") == 0);
    cf_string_free(answer);
    CHECK_STATUS(cf_engine_fire_due(e, 1767225600002, &answer), CF_OK);
    CHECK(strcmp(answer, "{\"ok\":true,\"result\":{\"fired\":[],\"now\":1767225600002}}") == 0);
    cf_string_free(answer);
    cf_engine_free(e);
}

static void test_panic_path(const char *permit) {
#if defined(CF_FAULT_INJECTION)
    cf_engine *e = engine_with_case(permit);
    cf_engine *other = engine_with_case(permit);
    char *answer = SENTINEL;
    CHECK_STATUS(cf_engine_debug_panic(e), CF_ERR_PANIC);
    char msg[256];
    size_t n;
    CHECK_STATUS(cf_last_error(msg, sizeof msg, &n), CF_OK);
    CHECK(contains(msg, "civicflow panicked") && contains(msg, "fault injected"));
    /* The poisoned engine refuses everything, clearly; the other one is untouched. */
    CHECK_STATUS(call(e, "{\"op\":\"list_workflows\"}", &answer), CF_ERR_POISONED);
    CHECK(answer == NULL);
    CHECK_STATUS(cf_engine_due(e, 0, 1, &answer), CF_ERR_POISONED);
    CHECK_STATUS(cf_engine_set_max_request_bytes(e, 10), CF_ERR_POISONED);
    CHECK_STATUS(cf_engine_debug_panic(e), CF_ERR_POISONED);
    CHECK_STATUS(call(other, "{\"op\":\"get_case\",\"case_id\":\"P-1\"}", &answer), CF_OK);
    cf_string_free(answer);
    cf_engine_free(e); /* freeing a poisoned engine releases it normally */
    cf_engine_free(other);
#else
    (void)permit;
    printf("test_abi: built without CF_FAULT_INJECTION, panic path not tested\n");
#endif
}

/* Hosts call in from exit handlers too, when thread-local storage may be gone: the call must
 * work and the process exit normally. */
static void call_at_exit(void) {
    cf_engine *e = cf_engine_new();
    char *answer = NULL;
    cf_status s = call(e, "{\"op\":\"get_case\",\"case_id\":\"late\"}", &answer);
    char msg[64];
    size_t n;
    cf_status read = cf_last_error(msg, sizeof msg, &n);
    cf_string_free(answer);
    cf_engine_free(e);
    if (s != CF_ERR_REJECTED || (read != CF_OK && read != CF_ERR_TRUNCATED)) {
        fprintf(stderr, "test_abi: a call from atexit gave status %d\n", (int)s);
        _exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <permit.json>\n", argv[0]);
        return 2;
    }
    atexit(call_at_exit);
    test_versions();
    test_lifecycle_and_free_null();
    test_null_arguments(argv[1]);
    test_clone(argv[1]);
    test_bad_requests(argv[1]);
    test_limits(argv[1]);
    test_last_error_buffers();
    test_typed_paths(argv[1]);
    test_panic_path(argv[1]);
    return check_report("test_abi");
}
