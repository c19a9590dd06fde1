/* A tiny assertion helper for the C tests: counts checks, reports each failure with its line,
 * and makes the test exit non-zero. No framework, nothing to install. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_STATUS(expr, want)                                                         \
    do {                                                                                 \
        int got_ = (int)(expr);                                                          \
        check_count++;                                                                   \
        if (got_ != (int)(want)) {                                                       \
            check_failures++;                                                            \
            fprintf(stderr, "%s:%d: %s gave status %d, want %s (%d)\n", __FILE__,        \
                    __LINE__, #expr, got_, #want, (int)(want));                          \
        }                                                                                \
    } while (0)

/* True when `haystack` (may be NULL) contains `needle`. */
static inline int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static inline int check_report(const char *name) {
    if (check_failures > 0) {
        fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures, check_count);
        return EXIT_FAILURE;
    }
    printf("%s: %d checks passed\n", name, check_count);
    return EXIT_SUCCESS;
}

#endif
