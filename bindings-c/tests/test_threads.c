/* Threads: several pthreads hammer one shared engine, and others each drive their own engine,
 * at the same time. Every case must end in the state its thread drove it to, with exactly its
 * events, and each thread must read its own last error.
 *
 * Usage: test_threads <path to tests/workflows/permit.json>
 */
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "common.h"

#define SHARED_THREADS 6
#define OWN_THREADS 3
#define CASES 40

struct job {
    cf_engine *engine;
    int thread;
    int ok;       /* calls that answered as expected */
    int wrong;    /* calls that did not */
};

static const char *permit_path;

static void expect(struct job *job, cf_status got, cf_status want) {
    if (got == want) {
        job->ok++;
    } else {
        job->wrong++;
    }
}

/* Opens CASES cases, submits each with an amount, then approves even ones and cancels odd
 * ones through the typed path; refused calls in between check the per-thread error. */
static void *drive(void *arg) {
    struct job *job = arg;
    char req[512], id[32], *answer = NULL;
    const char *clerk[] = {"clerk"}, *chief[] = {"chief"};
    size_t five[] = {5};
    for (int i = 0; i < CASES; i++) {
        int64_t at = 1767225600000 + i * 1000;
        snprintf(id, sizeof id, "T%d-%d", job->thread, i);
        snprintf(req, sizeof req,
                 "{\"op\":\"open_case\",\"case_id\":\"%s\",\"workflow\":\"permit\","
                 "\"channel\":\"hotline\",\"fields\":{\"applicant\":\"t%d\",\"kind\":\"repair\"},"
                 "\"actor\":{\"id\":\"c\",\"roles\":[\"clerk\"]},\"at\":%lld}",
                 id, job->thread, (long long)at);
        expect(job, call(job->engine, req, &answer), CF_OK);
        cf_string_free(answer);
        snprintf(req, sizeof req,
                 "{\"op\":\"apply\",\"case_id\":\"%s\",\"transition\":\"submit\","
                 "\"payload\":{\"amount\":%d},\"actor\":{\"id\":\"c\",\"roles\":[\"clerk\"]},"
                 "\"at\":%lld}",
                 id, 100 + i, (long long)(at + 1));
        expect(job, call(job->engine, req, &answer), CF_OK);
        cf_string_free(answer);
        /* Two refusals on this thread: its last error is its own, naming its own case. */
        expect(job,
               cf_engine_apply(job->engine, id, strlen(id), "approve_large", 13, "c", 1, NULL, 0,
                               clerk, five, 1, at + 2, &answer),
               CF_ERR_REJECTED);
        cf_string_free(answer);
        char missing[48], msg[256];
        size_t n;
        snprintf(missing, sizeof missing, "missing-%s", id);
        expect(job,
               cf_engine_apply(job->engine, missing, strlen(missing), "cancel", 6, "c", 1, NULL,
                               0, chief, five, 1, at + 2, &answer),
               CF_ERR_REJECTED);
        cf_string_free(answer);
        if (cf_last_error(msg, sizeof msg, &n) != CF_OK || !contains(msg, missing)) {
            job->wrong++;
        }
        const char *transition = i % 2 == 0 ? "approve_small" : "cancel";
        const char **roles = i % 2 == 0 ? clerk : chief;
        expect(job,
               cf_engine_apply(job->engine, id, strlen(id), transition, strlen(transition), "x", 1,
                               NULL, 0, roles, five, 1, at + 3, &answer),
               CF_OK);
        cf_string_free(answer);
        expect(job, cf_engine_due(job->engine, at + 4, 5, &answer), CF_OK);
        cf_string_free(answer);
    }
    return NULL;
}

static cf_engine *new_engine(void) {
    cf_engine *e = cf_engine_new();
    char *answer = NULL;
    CHECK_STATUS(call_with_file(e, "load_workflow", "definition", permit_path, &answer), CF_OK);
    cf_string_free(answer);
    return e;
}

/* Each case of thread t is where its thread left it, with 3 events: opened, submitted and the
 * last transition (the refused one recorded nothing). */
static void verify(cf_engine *e, int thread) {
    char req[128], *answer = NULL;
    for (int i = 0; i < CASES; i++) {
        snprintf(req, sizeof req, "{\"op\":\"get_case\",\"case_id\":\"T%d-%d\"}", thread, i);
        CHECK_STATUS(call(e, req, &answer), CF_OK);
        CHECK(contains(answer, i % 2 == 0 ? "\"state\":\"approved\"" : "\"state\":\"cancelled\""));
        CHECK(contains(answer, "\"events\":3"));
        cf_string_free(answer);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <permit.json>\n", argv[0]);
        return 2;
    }
    permit_path = argv[1];
    cf_engine *shared = new_engine();
    struct job jobs[SHARED_THREADS + OWN_THREADS];
    pthread_t threads[SHARED_THREADS + OWN_THREADS];
    for (int t = 0; t < SHARED_THREADS + OWN_THREADS; t++) {
        jobs[t].engine = t < SHARED_THREADS ? shared : new_engine();
        jobs[t].thread = t;
        jobs[t].ok = jobs[t].wrong = 0;
        CHECK(pthread_create(&threads[t], NULL, drive, &jobs[t]) == 0);
    }
    for (int t = 0; t < SHARED_THREADS + OWN_THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(jobs[t].wrong == 0);
        CHECK(jobs[t].ok == CASES * 6);
    }
    for (int t = 0; t < SHARED_THREADS + OWN_THREADS; t++) {
        verify(jobs[t].engine, t);
    }
    /* The shared engine holds every shared thread's cases, and only those. */
    char *answer = snapshot(shared);
    int count = 0;
    for (const char *p = answer; (p = strstr(p, "\"opened\"")) != NULL; p++) count++;
    CHECK(count == SHARED_THREADS * CASES);
    cf_string_free(answer);
    for (int t = SHARED_THREADS; t < SHARED_THREADS + OWN_THREADS; t++) {
        cf_engine_free(jobs[t].engine);
    }
    cf_engine_free(shared);
    return check_report("test_threads");
}
