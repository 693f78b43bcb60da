/* Times libplist on one file: libplist_bench FILE parse|write BUDGET_MS
 * parse: plist_from_memory + plist_free; write: plist_to_xml or plist_to_bin (the
 * file's own format) of the parsed tree. Prints the median nanoseconds per run. */
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void once(const char *buf, uint32_t len, int write, int binary, plist_t tree) {
    if (!write) {
        plist_t p = NULL;
        plist_from_memory(buf, len, &p);
        plist_free(p);
    } else if (binary) {
        char *out = NULL;
        uint32_t n = 0;
        plist_to_bin(tree, &out, &n);
        plist_to_bin_free(out);
    } else {
        char *out = NULL;
        uint32_t n = 0;
        plist_to_xml(tree, &out, &n);
        plist_to_xml_free(out);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: libplist_bench FILE parse|write BUDGET_MS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "read failed\n"); return 1; }
    fclose(f);
    int write = strcmp(argv[2], "write") == 0;
    int binary = size >= 8 && memcmp(buf, "bplist00", 8) == 0;
    double budget = atof(argv[3]) * 1e6;
    plist_t tree = NULL;
    plist_from_memory(buf, (uint32_t)size, &tree);
    if (!tree) { fprintf(stderr, "libplist could not parse %s\n", argv[1]); return 1; }
    double t0 = now_ns();
    once(buf, (uint32_t)size, write, binary, tree);
    double single = now_ns() - t0;
    if (single < 50) single = 50;
    long per_batch = (long)(5e6 / single);
    if (per_batch < 1) per_batch = 1;
    if (per_batch > 100000) per_batch = 100000;
    double warm_end = now_ns() + budget / 5;
    while (now_ns() < warm_end) once(buf, (uint32_t)size, write, binary, tree);
    double samples[100000];
    int count = 0;
    double end = now_ns() + budget;
    while ((now_ns() < end || count < 5) && count < 100000) {
        double t = now_ns();
        for (long i = 0; i < per_batch; i++) once(buf, (uint32_t)size, write, binary, tree);
        samples[count++] = (now_ns() - t) / (double)per_batch;
    }
    qsort(samples, (size_t)count, sizeof(double), cmp);
    printf("%.1f\n", samples[count / 2]);
    plist_free(tree);
    free(buf);
    return 0;
}
