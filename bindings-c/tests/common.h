/* Helpers shared by the C tests: reading files and sending requests. */
#ifndef COMMON_H
#define COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civicflow.h"

/* Reads a whole file into a NUL-terminated buffer the caller frees; exits on failure. */
static inline char *read_file(const char *path, size_t *len_out) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (buf == NULL) {
        exit(2);
    }
    buf[len] = '\0';
    if (len_out != NULL) {
        *len_out = len;
    }
    return buf;
}

/* Sends a NUL-terminated request; returns the status and stores the answer (may be NULL). */
static inline cf_status call(cf_engine *engine, const char *request, char **answer) {
    return cf_engine_call(engine, request, strlen(request), answer);
}

/* Sends `{"op": op, key: <contents of path>}`, e.g. to load a workflow file. */
static inline cf_status call_with_file(cf_engine *engine, const char *op, const char *key,
                                const char *path, char **answer) {
    size_t len;
    char *doc = read_file(path, &len);
    size_t cap = len + strlen(op) + strlen(key) + 32;
    char *req = malloc(cap);
    snprintf(req, cap, "{\"op\":\"%s\",\"%s\":%s}", op, key, doc);
    cf_status s = call(engine, req, answer);
    free(req);
    free(doc);
    return s;
}

/* The engine's snapshot as text, for before/after comparisons; the caller cf_string_free()s it. */
static inline char *snapshot(cf_engine *engine) {
    char *answer = NULL;
    call(engine, "{\"op\":\"snapshot\"}", &answer);
    return answer;
}

#endif
