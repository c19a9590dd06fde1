/* What a call through the C ABI costs, measured from C: `make -f bindings-c/Makefile bench`.
 * Not a test: figures go to docs/performance.md. Wall-clock, best of 5 rounds.
 *
 * Usage: bench <path to tests/workflows/permit.json>
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <time.h>

#include "../tests/common.h"

#ifndef CASES
#define CASES 20000
#endif
#ifndef ROUNDS
#define ROUNDS 5
#endif

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* An engine with CASES permit cases, each submitted and waiting for approval. */
static cf_engine *prepared(const char *permit) {
    cf_engine *e = cf_engine_new();
    char *answer = NULL, req[512];
    call_with_file(e, "load_workflow", "definition", permit, &answer);
    cf_string_free(answer);
    for (int i = 0; i < CASES; i++) {
        snprintf(req, sizeof req,
                 "{\"op\":\"open_case\",\"case_id\":\"B-%d\",\"workflow\":\"permit\","
                 "\"channel\":\"web\",\"fields\":{\"applicant\":\"x\",\"kind\":\"repair\"},"
                 "\"actor\":{\"id\":\"c\",\"roles\":[\"clerk\"]},\"at\":1767225600000}", i);
        call(e, req, &answer);
        cf_string_free(answer);
        snprintf(req, sizeof req,
                 "{\"op\":\"apply\",\"case_id\":\"B-%d\",\"transition\":\"submit\","
                 "\"payload\":{\"amount\":10},\"actor\":{\"id\":\"c\",\"roles\":[\"clerk\"]},"
                 "\"at\":1767225601000}", i);
        call(e, req, &answer);
        cf_string_free(answer);
    }
    return e;
}

/* ns per approval: typed (cf_engine_apply) or as JSON text (cf_engine_call). */
static double approve_all(const char *permit, int typed) {
    cf_engine *e = prepared(permit);
    char id[32], req[256], *answer = NULL;
    const char *roles[] = {"clerk"};
    size_t lens[] = {5};
    int failures = 0;
    double start = now_ns();
    for (int i = 0; i < CASES; i++) {
        int n = snprintf(id, sizeof id, "B-%d", i);
        cf_status s;
        if (typed) {
            s = cf_engine_apply(e, id, (size_t)n, "approve_small", 13, "c", 1, NULL, 0, roles,
                                lens, 1, 1767225602000, &answer);
        } else {
            snprintf(req, sizeof req,
                     "{\"op\":\"apply\",\"case_id\":\"%s\",\"transition\":\"approve_small\","
                     "\"actor\":{\"id\":\"c\",\"roles\":[\"clerk\"]},\"at\":1767225602000}", id);
            s = call(e, req, &answer);
        }
        failures += s != CF_OK;
        cf_string_free(answer);
    }
    double ns = (now_ns() - start) / CASES;
    cf_engine_free(e);
    if (failures) fprintf(stderr, "%d approvals failed\n", failures);
    return ns;
}

static double reads(const char *permit) {
    cf_engine *e = prepared(permit);
    char req[128], *answer = NULL;
    double start = now_ns();
    for (int i = 0; i < CASES; i++) {
        snprintf(req, sizeof req, "{\"op\":\"get_case\",\"case_id\":\"B-%d\"}", i);
        call(e, req, &answer);
        cf_string_free(answer);
    }
    double ns = (now_ns() - start) / CASES;
    cf_engine_free(e);
    return ns;
}

static double best(double (*f)(const char *, int), const char *permit, int arg) {
    double b = 1e18;
    for (int r = 0; r < ROUNDS; r++) {
        double v = f(permit, arg);
        b = v < b ? v : b;
    }
    return b;
}

static double reads2(const char *permit, int unused) {
    (void)unused;
    return reads(permit);
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    printf("C ABI, %d cases, best of %d rounds:\n", CASES, ROUNDS);
    printf("  apply, JSON text (cf_engine_call):   %8.0f ns per call\n", best(approve_all, argv[1], 0));
    printf("  apply, typed (cf_engine_apply):      %8.0f ns per call\n", best(approve_all, argv[1], 1));
    printf("  get_case, JSON text (cf_engine_call): %7.0f ns per call\n", best(reads2, argv[1], 0));
    return 0;
}
