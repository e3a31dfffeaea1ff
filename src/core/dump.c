// dump.c: the trainer's run directory (dump.h, docs/dump-format.md).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tripletscope/dump.h"
#include "tripletscope/json.h"

// The data are written as they sit in memory, declared '<f4' and '<i4'.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "dump.c writes the host's floats and ints as little-endian NPY data"
#endif
_Static_assert(sizeof(float) == 4 && sizeof(int) == 4, "NPY <f4 and <i4 are float and int");

// A path: DIR (at most 255 bytes: config.h) / model / .batch-STEP.labels.npy.tmp.
#define DUMP_PATH_MAX 400
// An NPY 1.0 header: 10 bytes, then the dict (under 90 bytes here), padded.
#define NPY_HEADER_MAX 192
// run.json, a scalars line.
#define DUMP_LINE_MAX 2048

typedef struct {
    int on;                       // the model runs: its directory is written
    char dir[DUMP_PATH_MAX];      // DIR/siamese
    int made;                     // dump_create made dir
    int scalars;                  // scalars.jsonl, appended (-1: not open)
} dump_model;

struct ts_dump {
    char root[sizeof ((ts_config *)0)->dump_dir];   // DIR
    int made_root;
    int every, E;
    long written;                 // batch and eval files put in place
    dump_model m[MODEL_COUNT];
    // The file in progress: written at tmp, renamed to path.
    int fd;
    char tmp[DUMP_PATH_MAX], path[DUMP_PATH_MAX];
    // The eval dump in progress (dump_eval_begin .. end).
    ts_model_kind eval_k;
    long eval_step;
    int eval_n, eval_rows;
    char header[NPY_HEADER_MAX];
    char line[DUMP_LINE_MAX];
};


// --- One file, written beside its target and renamed into place -------------

static void file_abort(ts_dump *d) {
    if (d->fd < 0) return;
    close(d->fd);
    unlink(d->tmp);
    d->fd = -1;
}

// Opens model k's .NAME.tmp for writing, to become NAME.
static int file_begin(ts_dump *d, ts_model_kind k, const char *name, ts_error *err) {
    file_abort(d);
    snprintf(d->path, sizeof d->path, "%s/%s", d->m[k].dir, name);
    snprintf(d->tmp, sizeof d->tmp, "%s/.%s.tmp", d->m[k].dir, name);
    d->fd = open(d->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (d->fd < 0) return ts_fail(err, "--dump %s: cannot write: %s", d->path, strerror(errno));
    return 0;
}

// Writes all n bytes of p to fd; 0, or the errno of the failure (EIO for a
// write that wrote nothing and said nothing).
static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 && errno ? errno : EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int file_write(ts_dump *d, const void *p, size_t n, ts_error *err) {
    int e = write_all(d->fd, p, n);
    if (!e) return 0;
    file_abort(d);
    return ts_fail(err, "--dump %s: write failed: %s", d->path, strerror(e));
}

// Closes the file and renames it into place. No fsync: the rename is what
// a reader needs (it never sees half a file); a crash may lose the last dumps.
static int file_commit(ts_dump *d, ts_error *err) {
    int bad = close(d->fd) != 0;
    int e = errno;
    d->fd = -1;
    if (bad) {
        unlink(d->tmp);
        return ts_fail(err, "--dump %s: write failed: %s", d->path, strerror(e));
    }
    if (rename(d->tmp, d->path) != 0) {
        e = errno;
        unlink(d->tmp);
        return ts_fail(err, "--dump %s: cannot rename %s into place: %s", d->path, d->tmp,
                       strerror(e));
    }
    d->written++;
    return 0;
}

// --- NPY ---------------------------------------------------------------------

// The NPY 1.0 header of a C-order array of descr and shape (rows, cols), or
// (rows,) when cols < 0: the magic, the version, the dict's length (uint16,
// little-endian), the dict padded with spaces so that the whole header is a
// multiple of 64 bytes, '\n' last. Returns its length.
static size_t npy_header(char *h, const char *descr, long rows, long cols) {
    char shape[48], dict[128];
    if (cols >= 0) snprintf(shape, sizeof shape, "(%ld, %ld)", rows, cols);
    else snprintf(shape, sizeof shape, "(%ld,)", rows);
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                     descr, shape);
    size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64, len = total - 10;
    static const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
    memcpy(h, magic, sizeof magic);
    h[8] = (char)(len & 0xff);
    h[9] = (char)(len >> 8);
    memcpy(h + 10, dict, (size_t)n);
    memset(h + 10 + n, ' ', total - 11 - (size_t)n);
    h[total - 1] = '\n';
    return total;
}

// Model k's NAME as a whole array: header, data, into place.
static int write_npy(ts_dump *d, ts_model_kind k, const char *name, const char *descr,
                     long rows, long cols, const void *data, size_t bytes, ts_error *err) {
    if (file_begin(d, k, name, err)) return -1;
    size_t h = npy_header(d->header, descr, rows, cols);
    if (file_write(d, d->header, h, err) || file_write(d, data, bytes, err)) return -1;
    return file_commit(d, err);
}

// --- Creation ----------------------------------------------------------------

// Makes dir (made: 1 when it did); an existing directory is fine.
static int make_dir(const char *dir, int *made, ts_error *err) {
    *made = 0;
    if (mkdir(dir, 0777) == 0) {
        *made = 1;
        return 0;
    }
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        return ts_fail(err, "--dump %s: exists and is not a directory", dir);
    }
    return ts_fail(err, "--dump %s: cannot create the directory: %s", dir, strerror(e));
}

// A name a reader would take for part of a run: run.json, scalars.jsonl,
// batch-*.npy, eval-*.npy (their labels and ranks included).
static int run_file(const char *name) {
    size_t n = strlen(name);
    if (!strcmp(name, "run.json") || !strcmp(name, "scalars.jsonl")) return 1;
    if (n < 4 || strcmp(name + n - 4, ".npy")) return 0;
    return !strncmp(name, "batch-", 6) || !strncmp(name, "eval-", 5);
}

// Refuses a directory that holds a run already: two runs never mix.
static int check_empty(const char *dir, ts_error *err) {
    DIR *dd = opendir(dir);
    if (!dd) return ts_fail(err, "--dump %s: cannot read the directory: %s", dir, strerror(errno));
    const struct dirent *de;
    char found[256] = "";
    while (!found[0] && (de = readdir(dd)))
        if (run_file(de->d_name)) snprintf(found, sizeof found, "%s", de->d_name);
    closedir(dd);
    if (found[0])
        return ts_fail(err, "--dump %s: already holds a run (%s): give another directory, or "
                            "remove it", dir, found);
    return 0;
}

static int write_run_json(ts_dump *d, ts_model_kind k, const ts_config *c,
                          const ts_run_info *info, ts_error *err) {
    const ts_settings *set = &c->set;
    ts_json j;
    json_fixed(&j, d->line, sizeof d->line);
    json_raw(&j, "{\"name\":\"%s\",\"loss\":\"%s\",\"miner\":\"%s\",\"margin\":", model_name(k),
             k == MODEL_SIAMESE ? "contrastive" : "triplet", miner_name(set->miner));
    json_num(&j, set->margin);
    json_raw(&j, ",\"pair_margin\":");
    json_num(&j, set->pair_margin);
    json_raw(&j, ",\"distance\":\"%s\",\"normalize\":%s,\"batch_sampler\":\"%s\",\"seed\":%llu",
             distance_name(set->distance), set->normalize ? "true" : "false", sampler_name(set->sampler),
             (unsigned long long)c->seed);
    json_raw(&j, ",\"soft\":%s,\"reduce\":\"%s\",\"lr\":", set->soft ? "true" : "false",
             reduce_name(set->reduce));
    json_num(&j, set->lr);
    json_raw(&j, ",\"batch\":%d,\"k\":%d,\"embed_dim\":%d,\"dump_every\":%d,\"eval_queries\":%d,"
                 "\"data\":",
             c->batch, c->k, c->embed_dim, d->every, info->n_eval);
    json_str(&j, info->data_name);
    json_raw(&j, ",\"tripletscope\":\"%s\"}\n", TS_VERSION);
    if (j.failed) return ts_fail(err, "--dump %s: run.json too long", d->m[k].dir);
    if (file_begin(d, k, "run.json", err) || file_write(d, d->line, j.len, err)) return -1;
    return file_commit(d, err);
}

int dump_create(ts_dump **out, const ts_config *cfg, const ts_run_info *info, ts_error *err) {
    *out = NULL;
    ts_dump *d = calloc(1, sizeof *d);
    if (!d) return ts_fail(err, "--dump: out of memory");
    d->fd = -1;
    for (int k = 0; k < MODEL_COUNT; k++) d->m[k].scalars = -1;
    d->every = cfg->dump_every > 0 ? cfg->dump_every : cfg->log_every;
    d->E = cfg->embed_dim;
    snprintf(d->root, sizeof d->root, "%s", cfg->dump_dir);
    // Every directory is checked before anything is written in any.
    if (make_dir(d->root, &d->made_root, err)) goto fail;
    for (int k = 0; k < MODEL_COUNT; k++) {
        dump_model *m = &d->m[k];
        if (!(cfg->models & TS_MODEL_BIT(k))) continue;
        m->on = 1;
        snprintf(m->dir, sizeof m->dir, "%s/%s", d->root, model_name((ts_model_kind)k));
        if (make_dir(m->dir, &m->made, err) || check_empty(m->dir, err)) goto fail;
    }
    for (int k = 0; k < MODEL_COUNT; k++) {
        dump_model *m = &d->m[k];
        if (!m->on) continue;
        if (write_run_json(d, (ts_model_kind)k, cfg, info, err)) goto fail;
        snprintf(d->path, sizeof d->path, "%s/scalars.jsonl", m->dir);
        m->scalars = open(d->path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (m->scalars < 0) {
            ts_fail(err, "--dump %s: cannot write: %s", d->path, strerror(errno));
            goto fail;
        }
    }
    d->written = 0;   // run.json is not a dump
    *out = d;
    return 0;
fail:
    d->written = 0;
    dump_free(d);
    return -1;
}

void dump_free(ts_dump *d) {
    if (!d) return;
    file_abort(d);
    for (int k = 0; k < MODEL_COUNT; k++) {
        dump_model *m = &d->m[k];
        if (m->scalars >= 0) close(m->scalars);
        if (!m->on || d->written) continue;
        // Nothing was dumped: what dump_create wrote goes (both files were
        // new: check_empty refused a directory holding either).
        snprintf(d->path, sizeof d->path, "%s/run.json", m->dir);
        unlink(d->path);
        snprintf(d->path, sizeof d->path, "%s/scalars.jsonl", m->dir);
        unlink(d->path);
        if (m->made) rmdir(m->dir);
    }
    if (!d->written && d->made_root) rmdir(d->root);
    free(d);
}

int dump_due(const ts_dump *d, long step) { return step % d->every == 0; }

// --- Batches ------------------------------------------------------------------

// Appends model k's scalars line at step: loss and lr as the step line
// writes numbers (json_num), so a reader can compare them digit for digit.
static int write_scalars(ts_dump *d, ts_model_kind k, long step, float loss, float lr,
                         ts_error *err) {
    ts_json j;
    json_fixed(&j, d->line, sizeof d->line);
    json_raw(&j, "{\"step\":%ld,\"loss\":", step);
    json_num(&j, loss);
    json_raw(&j, ",\"lr\":");
    json_num(&j, lr);
    json_raw(&j, "}\n");
    int e = write_all(d->m[k].scalars, d->line, j.len);
    if (e)
        return ts_fail(err, "--dump %s/scalars.jsonl: write failed: %s", d->m[k].dir,
                       strerror(e));
    return 0;
}

int dump_batch(ts_dump *d, ts_model_kind k, long step, const float *z, const int *ids,
               const int *y, int B, float loss, float lr, ts_error *err) {
    char name[64];
    snprintf(name, sizeof name, "batch-%ld.npy", step);
    if (write_npy(d, k, name, "<f4", B, d->E, z, sizeof(float) * (size_t)B * d->E, err))
        return -1;
    snprintf(name, sizeof name, "batch-%ld.ids.npy", step);
    if (ids && write_npy(d, k, name, "<i4", B, -1, ids, sizeof(int) * (size_t)B, err)) return -1;
    snprintf(name, sizeof name, "batch-%ld.labels.npy", step);
    if (write_npy(d, k, name, "<i4", B, -1, y, sizeof(int) * (size_t)B, err)) return -1;
    return write_scalars(d, k, step, loss, lr, err);
}

// --- Evaluations --------------------------------------------------------------

int dump_eval_begin(ts_dump *d, ts_model_kind k, long step, int n, ts_error *err) {
    char name[64];
    snprintf(name, sizeof name, "eval-%ld.npy", step);
    if (file_begin(d, k, name, err)) return -1;
    d->eval_k = k;
    d->eval_step = step;
    d->eval_n = n;
    d->eval_rows = 0;
    size_t h = npy_header(d->header, "<f4", n, d->E);
    return file_write(d, d->header, h, err);
}

int dump_eval_rows(ts_dump *d, const float *rows, int c, ts_error *err) {
    if (d->fd < 0 || d->eval_rows + c > d->eval_n) {
        file_abort(d);
        return ts_fail(err, "--dump: eval rows past the %d begun", d->eval_n);
    }
    d->eval_rows += c;
    return file_write(d, rows, sizeof(float) * (size_t)c * d->E, err);
}

int dump_eval_end(ts_dump *d, const int *y, ts_error *err) {
    if (d->fd < 0 || d->eval_rows != d->eval_n) {
        file_abort(d);
        return ts_fail(err, "--dump: %d eval rows of the %d begun", d->eval_rows, d->eval_n);
    }
    if (file_commit(d, err)) return -1;
    char name[64];
    snprintf(name, sizeof name, "eval-%ld.labels.npy", d->eval_step);
    return write_npy(d, d->eval_k, name, "<i4", d->eval_n, -1, y, sizeof(int) * (size_t)d->eval_n,
                     err);
}

int dump_eval(ts_dump *d, ts_model_kind k, long step, const float *emb, const int *y, int n,
              ts_error *err) {
    if (dump_eval_begin(d, k, step, n, err) || dump_eval_rows(d, emb, n, err)) return -1;
    return dump_eval_end(d, y, err);
}
