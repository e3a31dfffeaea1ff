// test_fuzz_replay.c: every file of the fuzz corpora (tests/fuzz/corpus/**)
// and of the regression inputs (tests/fuzz/regress/**) through the loaders'
// three fuzz targets, and the pbtxt and tsv corpora and the regressions
// through the dump reader's two, with the normal compiler: what `make fuzz`
// found stays fixed without clang. Each file runs in a child process: a crash, a leak
// (under `make asan`) or a broken promise (targets.h: the target aborts)
// fails the test, naming the file. Run from the repository's root, as
// tests/run.sh does.
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fuzz/targets.h"

static const char *const roots[] = {"tests/fuzz/corpus", "tests/fuzz/regress"};
static int files, failures;

// Reads a whole file; NULL when it cannot (the caller fails).
static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) free(buf);
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    *n = len;
    return buf;
}

// One file through its targets, in a child of its own: a crash, an
// abort or a leak (LeakSanitizer fails the child's exit) is reported with
// the file's name, and the replay goes on with the next.
static int replay(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (type != FTW_F) return 0;
    size_t n = 0;
    uint8_t *data = slurp(path, &n);
    if (!data) {
        fprintf(stderr, "FAIL %s: cannot read\n", path);
        failures++;
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        fuzz_csv(data, n);
        fuzz_npy(data, n);
        fuzz_idx(data, n);
        // The dump reader's targets on their own seeds and the regressions
        // only: every file through them costs half a minute more of make
        // test (each target writes files, and creating one is slow).
        if (!strstr(path, "/corpus/") || strstr(path, "/corpus/pbtxt/")) fuzz_pbtxt(data, n);
        if (!strstr(path, "/corpus/") || strstr(path, "/corpus/tsv/")) fuzz_tsv(data, n);
        free(data);
        exit(0);
    }
    free(data);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        fprintf(stderr, "FAIL %s: cannot run it (fork)\n", path);
        failures++;
    } else if (WIFSIGNALED(status)) {
        fprintf(stderr, "FAIL %s: killed by signal %d\n", path, WTERMSIG(status));
        failures++;
    } else if (WEXITSTATUS(status) != 0) {
        fprintf(stderr, "FAIL %s: exit status %d (a sanitizer's report is above)\n", path,
                WEXITSTATUS(status));
        failures++;
    }
    files++;
    return 0;
}

int main(void) {
    for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++) {
        struct stat st;
        if (stat(roots[r], &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "test_fuzz_replay: no %s (run from the repository's root)\n", roots[r]);
            return 1;
        }
        if (nftw(roots[r], replay, 16, FTW_PHYS) != 0) return 1;
    }
    if (failures) {
        printf("test_fuzz_replay: %d of %d files failed\n", failures, files);
        return 1;
    }
    printf("test_fuzz_replay: %d files through the csv, npy and idx targets (and pbtxt, tsv): no crash, no "
           "leak, every promise kept\n", files);
    return files > 0 ? 0 : 1;
}
