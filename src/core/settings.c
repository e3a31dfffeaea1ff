// settings.c: a command's change of a setting (settings.h), one rule for
// the trainer and for a watched run's what-if keys.
#include <stdio.h>
#include <string.h>
#include "tripletscope/settings.h"

const float ts_weight_decay_rungs[TS_WEIGHT_DECAY_RUNGS] = {0.1f, 1.0f, 10.0f};

static const char *on_off(int v) { return v ? "on" : "off"; }
static void number_text(char *buf, float v) { snprintf(buf, 40, "%.4g", v); }

// --- The settings and their texts ----------------------------------------------------

// The settings keys change, in the order P's events list them, with the
// command whose event names each (its models).
static const struct {
    const char *name;
    ts_command cmd;
} setting_rows[TS_SETTING_COUNT] = {
    {"miner", CMD_MINER_NEXT},    {"sampler", CMD_SAMPLER}, {"margin", CMD_MARGIN_UP},
    {"normalize", CMD_NORMALIZE}, {"distance", CMD_DISTANCE}, {"lr", CMD_LR_UP},
    {"soft", CMD_SOFT},           {"reduce", CMD_REDUCE},   {"weight_decay", CMD_WEIGHT_DECAY},
    {"pair_labels", CMD_PAIR_LABELS},
};

// Setting i of s as its events write it (40 bytes).
static void setting_text(const ts_settings *s, int i, char *buf) {
    switch (i) {
    case 0: snprintf(buf, 40, "%s", miner_name(s->miner)); break;
    case 1: snprintf(buf, 40, "%s", sampler_name(s->sampler)); break;
    case 2: number_text(buf, s->margin); break;
    case 3: snprintf(buf, 40, "%s", on_off(s->normalize)); break;
    case 4: snprintf(buf, 40, "%s", distance_name(s->distance)); break;
    case 5: number_text(buf, s->lr); break;
    case 6: snprintf(buf, 40, "%s", on_off(s->soft)); break;
    case 7: snprintf(buf, 40, "%s", reduce_name(s->reduce)); break;
    case 8: number_text(buf, s->weight_decay); break;
    default: snprintf(buf, 40, "%s", pair_labels_name(s->pair_labels)); break;
    }
}

// The row of the setting c changes (its event's "setting"), or -1.
static int setting_row(ts_command c) {
    const char *name = command_info(c)->setting;
    for (int i = 0; name && i < TS_SETTING_COUNT; i++)
        if (!strcmp(name, setting_rows[i].name)) return i;
    return -1;
}

// --- A command's change ----------------------------------------------------------------

// Applies c's change to s (c changes a setting: setting_row(c) >= 0).
static void step_setting(ts_settings *s, ts_command c) {
    switch (c) {
    case CMD_MINER_NEXT:
    case CMD_MINER_PREV:
        // Offline is not in the cycle of the online miners: m leaves it for
        // the same code mined online (hardest-neg, the question's Example 3),
        // M for semi-hard; neither comes back to it.
        if (s->miner == MINER_OFFLINE)
            s->miner = c == CMD_MINER_NEXT ? MINER_HARDEST_NEG : MINER_SEMIHARD;
        else
            s->miner = (ts_miner)((s->miner + (c == CMD_MINER_NEXT ? 1 : MINER_ONLINE - 1)) % MINER_ONLINE);
        break;
    case CMD_SAMPLER:
        s->sampler = s->sampler == SAMPLER_PK ? SAMPLER_UNIFORM : SAMPLER_PK;
        break;
    case CMD_MARGIN_UP:   // the margin by 1.25, the lr by 2, up or down
    case CMD_MARGIN_DOWN:
    case CMD_LR_UP:
    case CMD_LR_DOWN: {
        int margin = c == CMD_MARGIN_UP || c == CMD_MARGIN_DOWN;
        int up = c == CMD_MARGIN_UP || c == CMD_LR_UP;
        float *v = margin ? &s->margin : &s->lr, f = margin ? 1.25f : 2.0f;
        *v = up ? *v * f : *v / f;
        break;
    }
    case CMD_NORMALIZE:
    case CMD_SOFT: {
        int *v = c == CMD_NORMALIZE ? &s->normalize : &s->soft;
        *v = !*v;
        break;
    }
    case CMD_DISTANCE:   // euclidean -> squared -> cosine -> euclidean (ts_distance's order)
        s->distance = (ts_distance)((s->distance + 1) % DIST_COUNT);
        break;
    case CMD_REDUCE:
        s->reduce = s->reduce == REDUCE_MEAN ? REDUCE_NONZERO : REDUCE_MEAN;
        break;
    case CMD_WEIGHT_DECAY: {   // the next rung up, or 0 from the top one (or above it)
        float next = 0.0f;
        for (int i = TS_WEIGHT_DECAY_RUNGS - 1; i >= 0; i--)
            if (ts_weight_decay_rungs[i] > s->weight_decay) next = ts_weight_decay_rungs[i];
        s->weight_decay = next;
        break;
    }
    case CMD_PAIR_LABELS:
        s->pair_labels = s->pair_labels == PAIR_LABELS_NORMAL ? PAIR_LABELS_INVERTED : PAIR_LABELS_NORMAL;
        break;
    default:
        break;
    }
}

int settings_change(ts_settings *s, ts_command c, char *from, char *to) {
    int i = setting_row(c);
    if (i < 0) return 0;
    setting_text(s, i, from);
    step_setting(s, c);
    setting_text(s, i, to);
    return 1;
}

// --- The starting settings again (P) -------------------------------------------------

int settings_restore(ts_settings *s, const ts_settings *start, ts_setting_change *ch) {
    int n = 0;
    for (int i = 0; i < TS_SETTING_COUNT; i++) {
        ts_setting_change *c = &ch[n];
        setting_text(s, i, c->from);
        setting_text(start, i, c->to);
        if (!strcmp(c->from, c->to)) continue;
        snprintf(c->setting, sizeof c->setting, "%s", setting_rows[i].name);
        c->models = command_info(setting_rows[i].cmd)->models;
        n++;
    }
    *s = *start;
    return n;
}

int settings_differ(const ts_settings *a, const ts_settings *b) {
    for (int i = 0; i < TS_SETTING_COUNT; i++) {
        char x[40], y[40];
        setting_text(a, i, x);
        setting_text(b, i, y);
        if (strcmp(x, y)) return 1;
    }
    return 0;
}

int settings_preview(const ts_settings *s, ts_command c, int n, char *from, char *to) {
    ts_settings copy = *s;
    char skip[40];
    if (!settings_change(&copy, c, from, to)) return 0;
    for (int i = 1; i < n; i++) settings_change(&copy, c, skip, to);
    return 1;
}
