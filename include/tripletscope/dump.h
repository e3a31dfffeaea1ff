// dump.h: the trainer's run directory (--dump DIR), the writer side of
// docs/dump-format.md: what `--watch DIR/<model>` reads back.
//
// One sub-directory per model run (DIR/siamese/, DIR/triplet/), each with
//   run.json                          the run's starting settings (at creation)
//   batch-STEP.npy        (B, E)      the batch's raw embeddings, float32
//   batch-STEP.labels.npy (B,)        its labels, int32, written after them
//   eval-STEP.npy         (n, E)      the held-out set's raw embeddings
//   eval-STEP.labels.npy  (n,)        their labels, written after them
//   scalars.jsonl                     {"step":S,"loss":L,"lr":LR} a dumped step
// Every .npy is written under a '.'-name beside its target, then renamed.
//
// It takes plain arrays: whoever trains (the driver) says what is due and
// passes the embeddings. Everything it needs is sized by dump_create; the
// writes allocate nothing (they are IO).
#ifndef TRIPLETSCOPE_DUMP_H
#define TRIPLETSCOPE_DUMP_H
#include "tripletscope/config.h"
#include "tripletscope/error.h"
#include "tripletscope/track.h"

typedef struct ts_dump ts_dump;

// Creates cfg->dump_dir (mode 0777 & umask; its parent must exist) and a
// sub-directory for each model in cfg->models, and writes their run.json.
// Refuses a sub-directory that already holds a run (run.json, scalars.jsonl,
// batch-*.npy or eval-*.npy). Returns 0, or -1 with a one-line message
// naming --dump and the path.
int dump_create(ts_dump **out, const ts_config *cfg, const ts_run_info *info, ts_error *err);
// Closes everything. A dump that wrote nothing but its run.json (the run
// ended, or stopped dumping, before its first dump) removes what it created:
// a failed start leaves no run that would refuse the next one.
void dump_free(ts_dump *d);
// 1 when step is one to dump (step % --dump-every == 0).
int dump_due(const ts_dump *d, long step);
// Writes model k's batch at step: z (B, E) raw embeddings, ids (B) each
// row's row in the training set (batch-STEP.ids.npy; NULL: none), y (B)
// labels (last: the labels file marks the batch complete), then its scalars
// line (loss and lr as the JSON lines print them). Returns 0, or -1 with
// "--dump PATH: what failed" in err.
int dump_batch(ts_dump *d, ts_model_kind k, long step, const float *z, const int *ids,
               const int *y, int B, float loss, float lr, ts_error *err);
// Writes model k's held-out embeddings at step in pieces: begin (n rows in
// all), rows (c rows of (c, E) raw embeddings, in order, until n), end (the
// labels y (n)): the rows need not sit in one array. After a -1 (err
// filled) the file in progress is gone and the next call is a begin.
int dump_eval_begin(ts_dump *d, ts_model_kind k, long step, int n, ts_error *err);
int dump_eval_rows(ts_dump *d, const float *rows, int c, ts_error *err);
int dump_eval_end(ts_dump *d, const int *y, ts_error *err);
// All three at once: emb (n, E), y (n).
int dump_eval(ts_dump *d, ts_model_kind k, long step, const float *emb, const int *y, int n,
              ts_error *err);

#endif
