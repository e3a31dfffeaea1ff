// report.c: JSON lines and the snapshot export.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tripletscope/measure.h"
#include "tripletscope/report.h"

// ---------------------------------------------------------------------------
// Pieces

// The settings object {"miner":..,"margin":..,...}.
static void report_settings(ts_json *j, const ts_settings *set) {
    json_raw(j, "{\"miner\":\"%s\",\"margin\":", miner_name(set->miner));
    json_num(j, set->margin);
    json_raw(j, ",\"soft\":%s,\"reduce\":\"%s\",\"pair_margin\":", set->soft ? "true" : "false",
             reduce_name(set->reduce));
    json_num(j, set->pair_margin);
    // "squared" stays beside "distance" for the readers of the lines before it.
    json_raw(j, ",\"sampler\":\"%s\",\"normalize\":%s,\"distance\":\"%s\",\"squared\":%s,"
                "\"lr\":",
             sampler_name(set->sampler), set->normalize ? "true" : "false",
             distance_name(set->distance), set->distance == DIST_SQUARED ? "true" : "false");
    json_num(j, set->lr);
    json_raw(j, ",\"weight_decay\":");
    json_num(j, set->weight_decay);
    json_raw(j, ",\"pair_labels\":\"%s\",\"pair_distance\":\"%s\"}",
             pair_labels_name(set->pair_labels), pair_distance_name(set->pair_distance));
}

static void counts_obj(ts_json *j, const ts_counts *c) {
    json_raw(j, "{\"valid\":%ld,\"easy\":%ld,\"semihard\":%ld,\"hard\":%ld}", c->valid, c->easy,
             c->semihard, c->hard);
}

// A model's step as the object of its step line (no "type").
static void report_stepstats(ts_json *j, const ts_run_info *info, ts_model_kind kind,
                             const ts_stepstats *st) {
    json_raw(j, "\"step\":%ld,\"model\":", st->step);
    json_str(j, run_info_model_name(info, kind));
    json_raw(j, ",\"loss\":");
    json_num(j, st->loss);
    json_raw(j, ",\"triplets\":");
    counts_obj(j, &st->all);
    json_raw(j, ",\"norm\":{\"mean\":");
    json_num(j, st->norm.mean);
    json_raw(j, ",\"std\":");
    json_num(j, st->norm.std);
    json_raw(j, ",\"min\":");
    json_num(j, st->norm.min);
    json_raw(j, ",\"max\":");
    json_num(j, st->norm.max);
    json_raw(j, "},\"dist\":{\"pos\":");
    json_num(j, st->d_pos);
    json_raw(j, ",\"neg\":");
    json_num(j, st->d_neg);
    json_raw(j, "},\"no_positive\":%d,\"zero_pairs\":%d,\"min_dist\":", st->no_positive,
             st->zero_pairs);
    json_num(j, st->min_dist);
    if (st->has_run_loss) {
        json_raw(j, ",\"run_loss\":");
        json_num(j, st->run_loss);
    }
    if (kind == MODEL_TRIPLET) {
        json_raw(j, ",\"mined\":{\"count\":%ld,\"easy\":%ld,\"semihard\":%ld,\"hard\":%ld,"
                    "\"active\":%ld,\"fallback\":%ld,\"zero\":%ld},\"self_positive\":%d",
                 st->mined.valid, st->mined.easy, st->mined.semihard, st->mined.hard, st->active,
                 st->fallback, st->mined_zero, st->self_positive);
        if (st->picks.counted) {   // batch-hard or hardest-neg, the samples known
            json_raw(j, ",\"picks\":{\"suspects\":%d,\"eligible\":%d,\"share\":",
                     st->picks.suspects, st->picks.eligible);
            json_num(j, st->picks.share);
            json_raw(j, "}");
        }
    } else {
        json_raw(j, ",\"pairs\":{\"pos\":%ld,\"neg\":%ld,\"active_neg\":%ld}", st->pairs.pos,
                 st->pairs.neg, st->pairs.active_neg);
    }
}

// ---------------------------------------------------------------------------
// Lines

void report_config(char *buf, size_t n, const ts_config *c, const ts_run_info *info) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"config\",\"version\":\"%s\",\"preset\":", TS_VERSION);
    json_str(&j, c->preset);
    if (c->scenario[0]) {   // --scenario only: other runs' lines stay as they were
        json_raw(&j, ",\"scenario\":");
        json_str(&j, c->scenario);
    }
    json_raw(&j, ",\"data\":{\"name\":");
    json_str(&j, info->data_name);
    json_raw(&j, ",\"train\":%d,\"test\":%d,\"dim\":%d,\"classes\":%d,\"eval_queries\":%d,"
                 "\"projected\":%d",
             info->n_train, info->n_test, info->D, info->C, info->n_eval, info->n_proj);
    if (info->source[0]) json_raw(&j, ",\"source\":%s", info->source);
    json_raw(&j, "},");
    json_raw(&j, "\"network\":{\"hidden\":[");
    for (int i = 0; i < c->n_hidden; i++) json_raw(&j, "%s%d", i ? "," : "", c->hidden[i]);
    json_raw(&j, "],\"embed_dim\":%d,\"params\":%zu},", c->embed_dim, info->n_params);
    json_raw(&j, "\"optimizer\":\"%s\",\"momentum\":", c->optimizer == OPT_SGD ? "sgd" : "adam");
    json_num(&j, c->momentum);
    json_raw(&j, ",\"batch\":%d,", c->batch);
    if (info->batch_fitted_from > 0)   // the default batch, cut to a small training set
        json_raw(&j, "\"batch_fitted_from\":%d,", info->batch_fitted_from);
    json_raw(&j, "\"k\":%d,\"seed\":%llu,\"steps\":%ld,\"log_every\":%d,"
                 "\"eval_every\":%d,\"eval_size\":%d,\"threads\":%d,\"models\":\"%s\",",
             c->k, (unsigned long long)c->seed, c->steps, c->log_every, c->eval_every,
             c->eval_size, config_threads(c),
             models_name(c->models));
    if (c->set.miner == MINER_OFFLINE && info->offline_triplets > 0) {   // others' lines unchanged
        json_raw(&j, "\"offline\":{\"triplets\":%d,\"per_batch\":%d,\"batch_asked\":%d},",
                 info->offline_triplets, c->batch / 3, info->batch_asked);
    }
    if (c->dump_dir[0]) {   // --dump only: other runs' lines stay as they were
        json_raw(&j, "\"dump\":{\"dir\":");
        json_str(&j, c->dump_dir);
        json_raw(&j, ",\"every\":%d},", c->dump_every > 0 ? c->dump_every : c->log_every);
    }
    if (c->label_noise > 0) {   // --label-noise only: other runs' lines stay as they were
        json_raw(&j, "\"label_noise\":");
        json_num(&j, c->label_noise);
        json_raw(&j, ",");
    }
    json_raw(&j, "\"settings\":");
    report_settings(&j, &c->set);
    json_raw(&j, ",\"siamese\":{\"loss\":\"contrastive\",\"pair_margin\":");
    json_num(&j, c->set.pair_margin);
    json_raw(&j, ",\"pair_labels\":\"%s\",\"pair_distance\":\"%s\"",
             pair_labels_name(c->set.pair_labels), pair_distance_name(c->set.pair_distance));
    json_raw(&j, "},\"triplet\":{\"loss\":\"%s\",\"miner\":\"%s\",\"margin\":",
             c->set.soft ? "soft-margin triplet" : "triplet margin", miner_name(c->set.miner));
    json_num(&j, c->set.margin);
    json_raw(&j, ",\"soft\":%s,\"reduce\":\"%s\"},\"distance\":{\"normalize\":%s,\"squared\":%s}}",
             c->set.soft ? "true" : "false", reduce_name(c->set.reduce),
             c->set.normalize ? "true" : "false",
             c->set.distance == DIST_SQUARED ? "true" : "false");
}

void report_watch_config(char *buf, size_t n, const ts_config *c, const ts_watched *runs,
                         int n_runs, int follow) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"config\",\"version\":\"%s\",\"source\":\"watch\",\"runs\":[",
             TS_VERSION);
    for (int i = 0; i < n_runs; i++) {
        const ts_watched *r = &runs[i];
        json_raw(&j, "%s{\"model\":", i ? "," : "");
        json_str(&j, r->name);
        json_raw(&j, ",\"dir\":");
        json_str(&j, r->dir);
        json_raw(&j, ",\"loss\":");
        json_str(&j, r->loss);
        json_raw(&j, ",\"as\":\"%s\",\"format\":\"%s\",\"dumps\":%ld,\"settings\":",
                 model_name(r->kind), r->tensorboard ? "tensorboard" : "run", r->listed);
        report_settings(&j, r->own);
        json_raw(&j, "}");
    }
    json_raw(&j, "],\"eval_size\":%d,\"follow\":%s,\"seed\":%llu}", c->eval_size,
             follow ? "true" : "false", (unsigned long long)c->seed);
}

void report_step(char *buf, size_t n, const ts_run_info *info, ts_model_kind kind,
                 const ts_stepstats *st) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"step\",");
    report_stepstats(&j, info, kind, st);
    json_raw(&j, "}");
}

void report_eval(char *buf, size_t n, const ts_run_info *info, ts_model_kind kind,
                 const ts_evalrec *ev) {
    ts_json j;
    json_fixed(&j, buf, n);
    const ts_retrieval *r = &ev->r;
    json_raw(&j, "{\"type\":\"eval\",\"step\":%ld,\"model\":", ev->step);
    json_str(&j, run_info_model_name(info, kind));
    json_raw(&j, ",\"p_at_1\":");
    json_num(&j, r->p_at_1);
    json_raw(&j, ",\"r_precision\":");
    json_num(&j, r->r_precision);
    json_raw(&j, ",\"map_at_r\":");
    json_num(&j, r->map_at_r);
    json_raw(&j, ",\"queries\":%d", r->queries);
    // The spread (eval_spread): null where not measured.
    json_raw(&j, ",\"effective_rank\":");
    json_num(&j, r->spread.effective_rank);
    json_raw(&j, ",\"pc1_share\":");
    json_num(&j, r->spread.pc1_share);
    json_raw(&j, ",\"std_l2\":");
    json_num(&j, r->spread.std_l2);
    json_raw(&j, "}");
}

void report_event(char *buf, size_t n, const ts_event *ev) {
    ts_json j;
    json_fixed(&j, buf, n);
    char key[2] = {command_letter(ev->command), 0};
    json_raw(&j, "{\"type\":\"event\",\"step\":%ld,\"key\":", ev->step);
    json_str(&j, key);
    json_raw(&j, ",\"setting\":");
    json_str(&j, ev->setting);
    json_raw(&j, ",\"from\":");
    json_str(&j, ev->from);
    json_raw(&j, ",\"to\":");
    json_str(&j, ev->to);
    json_raw(&j, "}");
}

// The evidence as a JSON object: {"d_neg":0.012,"normalize":true,...}.
static void evidence_obj(ts_json *j, const ts_finding *f) {
    json_raw(j, "{");
    for (int i = 0; i < f->n_evidence; i++) {
        const ts_evidence *e = &f->evidence[i];
        json_raw(j, "%s\"%s\":", i ? "," : "", e->name);
        if (e->kind == EVIDENCE_NUM) json_num(j, e->num);
        else if (e->kind == EVIDENCE_FLAG) json_raw(j, "%s", e->num != 0 ? "true" : "false");
        else json_str(j, e->text);
    }
    json_raw(j, "}");
}

// The suggested commands as the letters a script would press: "[r".
static void suggest_str(ts_json *j, const ts_finding *f) {
    char letters[TS_MAX_SUGGEST + 1];
    int n = 0;
    for (int i = 0; i < f->n_suggest; i++) {
        char c = command_letter(f->suggest[i]);
        if (c) letters[n++] = c;
    }
    letters[n] = 0;
    json_str(j, letters);
}

void report_diagnosis(char *buf, size_t n, const ts_run_info *info, long step,
                      const ts_finding *f, int raised) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"diagnosis\",\"step\":%ld,\"model\":", step);
    json_str(&j, run_info_model_name(info, f->model));
    json_raw(&j, ",\"code\":\"%s\",\"state\":\"%s\",\"severity\":\"%s\",\"message\":",
             diag_code_name(f->code),
             raised == DIAG_REGRADED ? "regraded" : raised ? "raised" : "cleared",
             diag_severity_name(f->severity));
    json_str(&j, f->message);
    json_raw(&j, ",\"evidence\":");
    evidence_obj(&j, f);
    json_raw(&j, ",\"suggest\":");
    suggest_str(&j, f);
    if (info->attached) {   // no key acts on the user's model: what to change in their training
        json_raw(&j, ",\"advice\":[");
        int first = 1;
        for (int i = 0; i < f->n_suggest; i++) {
            const char *a = command_info(f->suggest[i])->advice;
            int seen = 0;
            for (int k = 0; k < i; k++) seen |= command_info(f->suggest[k])->advice == a;
            if (!a || seen) continue;
            json_raw(&j, "%s", first ? "" : ",");
            json_str(&j, a);
            first = 0;
        }
        json_raw(&j, "]");
    }
    json_raw(&j, "}");
}

// {"type":TYPE,"step":STEP,KEY:TEXT}: the lines that carry one string.
static void step_text_line(char *buf, size_t n, const char *type, long step, const char *key,
                           const char *text) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"%s\",\"step\":%ld,\"%s\":", type, step, key);
    json_str(&j, text);
    json_raw(&j, "}");
}

void report_export_line(char *buf, size_t n, long step, const char *path) {
    step_text_line(buf, n, "export", step, "path", path);
}

void report_notice(char *buf, size_t n, long step, const char *message) {
    step_text_line(buf, n, "notice", step, "message", message);
}

void report_narration(char *buf, size_t n, long step, const char *text) {
    step_text_line(buf, n, "narration", step, "text", text);
}

void report_summary(char *buf, size_t n, long steps, double seconds) {
    ts_json j;
    json_fixed(&j, buf, n);
    json_raw(&j, "{\"type\":\"summary\",\"steps\":%ld,\"seconds\":", steps);
    json_num(&j, seconds);
    json_raw(&j, ",\"steps_per_s\":");
    json_num(&j, seconds > 0 ? steps / seconds : NAN);
    json_raw(&j, "}");
}

// ---------------------------------------------------------------------------
// Snapshot export

static void series_array(ts_json *j, const char *name, const ts_series *s) {
    json_raw(j, "\"%s\":[", name);
    for (int i = 0; i < s->nbins; i++) {
        const ts_bin *b = &s->bins[i];
        json_raw(j, "%s[%ld,", i ? "," : "", b->step);
        json_num(j, series_bin_mean(s, i));
        json_raw(j, ",");
        json_num(j, b->finite ? b->min : NAN);
        json_raw(j, ",");
        json_num(j, b->finite ? b->max : NAN);
        json_raw(j, "]");
    }
    json_raw(j, "]");
}

// The suspects, most suspect first (ratio, then slot).
typedef struct {
    float ratio;
    int slot;
} suspect_key;

static int by_ratio(const void *a, const void *b) {
    const suspect_key *x = a, *y = b;
    if (x->ratio != y->ratio) return x->ratio < y->ratio ? 1 : -1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

// "picks": the counts behind label_noise and every suspect with its own;
// "label_noise": the rows --label-noise flipped, to check them against.
static int export_extra(ts_json *j, const ts_export_extra *x) {
    const ts_picks *p = x->picks;
    if (p && p->drawn) {
        suspect_key *idx = malloc(sizeof *idx * (size_t)(p->suspects + 1));
        int k = 0;
        if (!idx) return -1;
        for (int i = 0; i < p->n && k < p->suspects; i++)
            if (picks_suspect(p, i)) idx[k++] = (suspect_key){picks_ratio(p, i), i};
        qsort(idx, (size_t)k, sizeof *idx, by_ratio);
        json_raw(j, ",\"picks\":{\"samples\":%d,\"eligible\":%d,\"draws\":%ld,\"picks\":%ld,"
                    "\"share\":", p->n, p->eligible, p->draws, p->picks);
        json_num(j, p->picks ? (double)p->suspect_picks / (double)p->picks : 0.0);
        json_raw(j, ",\"dropped_ids\":%ld,\"columns\":[\"id\",\"drawn\",\"hits\",\"strays\","
                    "\"pos\",\"neg\",\"ratio\"],\"suspects\":[", p->dropped);
        for (int i = 0; i < k; i++) {
            int s = idx[i].slot;
            json_raw(j, "%s[%lld,%d,%d,%d,%d,%d,", i ? "," : "", (long long)picks_id(p, s),
                     p->drawn[s], p->hits[s], p->strays[s], p->pos[s], p->neg[s]);
            json_num(j, picks_ratio(p, s));
            json_raw(j, "]");
        }
        json_raw(j, "]}");
        free(idx);
    }
    if (x->n_flipped > 0) {
        json_raw(j, ",\"label_noise\":{\"frac\":");
        json_num(j, x->label_noise);
        json_raw(j, ",\"flipped\":[");
        for (int i = 0; i < x->n_flipped; i++) json_raw(j, "%s%d", i ? "," : "", x->flipped[i]);
        json_raw(j, "]}");
    }
    return 0;
}

// "projection": the held-out points on the first two principal axes of the
// last evaluation, each with its label (empty before the first).
static void projection_obj(ts_json *j, const ts_model_view *m) {
    json_raw(j, "\"projection\":{\"columns\":[\"x\",\"y\",\"label\"],\"var\":[");
    json_num(j, m->n_proj ? m->proj_var[0] : NAN);
    json_raw(j, ",");
    json_num(j, m->n_proj ? m->proj_var[1] : NAN);
    json_raw(j, "],\"total_var\":");
    json_num(j, m->n_proj ? m->proj_total_var : NAN);
    json_raw(j, ",\"points\":[");
    for (int i = 0; i < m->n_proj; i++) {
        json_raw(j, "%s[", i ? "," : "");
        json_num(j, m->proj[2 * i]);
        json_raw(j, ",");
        json_num(j, m->proj[2 * i + 1]);
        json_raw(j, ",%d]", m->proj_y[i]);
    }
    json_raw(j, "]}");
}

// "finding_history": every raise and clear (the diagnosis lines), oldest
// first; "finding_history_dropped": the oldest ones the ring lost.
static void history_array(ts_json *j, const ts_snapshot *sn, const ts_export_extra *x,
                          char *line, size_t n) {
    long n0 = x->n_history > x->history_max ? x->n_history - x->history_max : 0;
    json_raw(j, ",\"finding_history_dropped\":%ld,\"finding_history\":[", n0);
    for (long i = n0; i < x->n_history; i++) {
        const ts_diag_change *c = &x->history[i % x->history_max];
        report_diagnosis(line, n, &sn->info, c->step, &c->f, c->raised);
        json_raw(j, "%s%s", i > n0 ? "," : "", line);
    }
    json_raw(j, "]");
}

static void export_json(ts_json *j, const ts_snapshot *sn, const ts_export_extra *extra,
                        char *line, size_t n) {
    report_config(line, n, &sn->cfg, &sn->info);
    json_raw(j, "{\"type\":\"snapshot\",\"step\":%ld,\"diverged\":%s,\"config\":%s,\"models\":{",
             sn->step, sn->diverged ? "true" : "false", line);
    int first = 1;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_model_view *m = &sn->model[k];
        if (!m->enabled) continue;
        json_raw(j, "%s", first ? "" : ",");
        json_str(j, run_info_model_name(&sn->info, m->kind));
        json_raw(j, ":{\"last\":{");
        first = 0;
        report_stepstats(j, &sn->info, m->kind, &m->last);
        json_raw(j, "},\"eval\":");
        if (m->have_eval) {
            report_eval(line, n, &sn->info, m->kind, &m->last_eval);
            json_raw(j, "%s", line);
        } else {
            json_raw(j, "null");
        }
        const ts_history *h = &m->hist;
        json_raw(j, ",\"history\":{\"columns\":[\"step\",\"mean\",\"min\",\"max\"],");
        const struct { const char *name; const ts_series *s; } cols[] = {
            {"loss", &h->loss}, {"easy", &h->easy}, {"semihard", &h->semihard},
            {"hard", &h->hard}, {"active", &h->active}, {"norm_mean", &h->norm_mean},
            {"d_pos", &h->d_pos}, {"d_neg", &h->d_neg}, {"p_at_1", &h->p_at_1},
            {"r_precision", &h->r_precision}, {"map_at_r", &h->map_at_r},
            {"effective_rank", &h->effective_rank}, {"pc1_share", &h->pc1_share},
            {"std_l2", &h->std_l2},
        };
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            if (i) json_raw(j, ",");
            series_array(j, cols[i].name, cols[i].s);
        }
        if (h->run_loss.nbins > 0) {   // an attached run's own loss
            json_raw(j, ",");
            series_array(j, "run_loss", &h->run_loss);
        }
        json_raw(j, "},");
        projection_obj(j, m);
        json_raw(j, "}");
    }
    json_raw(j, "},\"class_names\":[");
    for (int c = 0; c < sn->info.C && c < TS_MAX_LEGEND; c++) {
        json_raw(j, "%s", c ? "," : "");
        json_str(j, sn->class_names[c]);
    }
    json_raw(j, "],\"events_total\":%ld,\"events\":[", sn->n_events);
    long n0 = sn->n_events > TS_MAX_EVENTS ? sn->n_events - TS_MAX_EVENTS : 0;
    for (long i = n0; i < sn->n_events; i++) {
        report_event(line, n, &sn->events[i % TS_MAX_EVENTS]);
        json_raw(j, "%s%s", i > n0 ? "," : "", line);
    }
    json_raw(j, "]");
    // The history before the findings now: a reader taking the last line of a
    // code finds the current one.
    if (extra && extra->history) history_array(j, sn, extra, line, n);
    json_raw(j, ",\"findings\":[");
    for (int i = 0; i < sn->n_findings; i++) {
        report_diagnosis(line, n, &sn->info, sn->findings[i].step, &sn->findings[i], 1);
        json_raw(j, "%s%s", i ? "," : "", line);
    }
    json_raw(j, "]");
    if (extra && export_extra(j, extra)) j->failed = 1;
    json_raw(j, "}\n");
}

// mkdir -p, each missing directory with mode 0700 (the XDG base directory
// specification's).
static int make_dirs(char *path) {
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p) continue;
        char c = *p;
        *p = 0;
        int r = mkdir(path, 0700);
        int e = errno;
        *p = c;
        if (r != 0 && e != EEXIST) {
            errno = e;
            return -1;
        }
        if (!c) return 0;
    }
}

int report_export_dir(const char *dir, char *out, size_t n, ts_error *err) {
    if (dir && dir[0]) {
        snprintf(out, n, "%s", dir);
        return 0;
    }
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/') w = snprintf(out, n, "%s/tripletscope", xdg);
    else if (home && home[0]) w = snprintf(out, n, "%s/.local/share/tripletscope", home);
    else return ts_fail(err, "neither XDG_DATA_HOME nor HOME is set: give --export-dir DIR");
    if (w < 0 || (size_t)w >= n) return ts_fail(err, "%s: the path is too long", out);
    if (make_dirs(out)) {
        int e = errno;
        return ts_fail(err, "%s: cannot create: %s", out, strerror(e));
    }
    return 0;
}

int report_export(const ts_snapshot *sn, const ts_export_extra *extra, const char *path,
                  ts_error *err) {
    ts_json j;
    char *line = malloc(REPORT_LINE_MAX);
    if (!line || json_growing(&j, 1 << 16)) {
        free(line);
        return ts_fail(err, "out of memory");
    }
    export_json(&j, sn, extra, line, REPORT_LINE_MAX);
    free(line);
    if (j.failed) {
        free(j.buf);
        return ts_fail(err, "out of memory");
    }
    // Written beside the target, then renamed: readers never see half a file.
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int e = errno;
        free(j.buf);
        return ts_fail(err, "%s: %s", path, strerror(e));
    }
    size_t w = fwrite(j.buf, 1, j.len, f);
    int bad = w != j.len;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    free(j.buf);
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return ts_fail(err, "%s: %s", path, strerror(e));
    }
    return 0;
}
