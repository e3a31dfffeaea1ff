// settings.h: what a run's losses, mining and distances are, as commands
// change them while it runs. The trainer trains under them; the measurements
// and the diagnosis read them (a finding judges distances against the margin
// in use, in the units of the distance in use).
#ifndef TRIPLETSCOPE_SETTINGS_H
#define TRIPLETSCOPE_SETTINGS_H
#include "tripletscope/command.h"
#include "tripletscope/dist.h"
#include "tripletscope/loss.h"
#include "tripletscope/mine.h"
#include "tripletscope/sampler.h"

typedef struct {
    ts_miner miner;          // triplet model
    float margin;            // triplet model; also the counts' m for both
    int soft;                // triplet model: softplus(d_ap - d_an)
    ts_reduce reduce;        // triplet model
    float pair_margin;       // Siamese model
    ts_pair_labels pair_labels;      // Siamese model: the l key (a teaching bug)
    ts_pair_distance pair_distance;  // Siamese model: on the distance, or per dimension
    ts_sampler_kind sampler; // shared: both models see the same batches
    int normalize;           // shared: the distance space is shared
    ts_distance distance;    // shared (cosine normalises whatever normalize says)
    float lr;                // shared
    float weight_decay;      // shared: the optimizer's (nn.h: decoupled for Adam, as AdamW)
} ts_settings;

// The weight decays `w` steps through: 0 -> 0.1 -> 1 -> 10 -> 0 (from a
// value between two rungs, to the next one up; from the top or above, 0).
// AdamW's decay per step is lr x wd: at the default lr 1e-3 these shrink
// the weights by 1e-4, 1e-3 and 1e-2 a step, which shows within the few
// thousand steps of a run here (PyTorch's default 1e-2 suits 10^5 steps).
#define TS_WEIGHT_DECAY_RUNGS 3
extern const float ts_weight_decay_rungs[TS_WEIGHT_DECAY_RUNGS];

// Carries out command c on s when it changes one of its settings (miner,
// sampler, margin, lr, normalize, distance, soft, reduce, weight decay, pair
// labels), writing the setting's old and new values as the events name them into from and to
// (40 bytes each); returns 1, or 0 when c changes none. The trainer checks
// what it must first (a sampler the data cannot batch); a watched run calls
// it for its what-if keys.
int settings_change(ts_settings *s, ts_command c, char *from, char *to);
// What command c would change in s, without changing it: the event's from
// and to as settings_change writes them (40 bytes each), for the n presses
// of c in a row (n >= 1: "- x3": margin 1 -> 0.512); returns 1, or 0 when c
// changes no setting. The finding view shows it beside a suggested key.
int settings_preview(const ts_settings *s, ts_command c, int n, char *from, char *to);

// The settings keys change, each as its events name it (miner, sampler,
// margin, normalize, distance, lr, soft, reduce, weight_decay, pair_labels).
#define TS_SETTING_COUNT 10

// One setting set back (settings_restore): its name, its values as the
// events write them, the models it acts on (TS_MODEL_BIT).
typedef struct {
    char setting[16];
    char from[40], to[40];
    unsigned models;
} ts_setting_change;

// Sets every setting of s a key changes to start's (the others too: no key
// changes them) and writes into ch (TS_SETTING_COUNT) each one whose value,
// as the events write it, was another; returns their number (0: s was
// start already, to the events' precision).
int settings_restore(ts_settings *s, const ts_settings *start, ts_setting_change *ch);
// 1 when a setting a key changes differs between a and b as the events
// write it (a margin taken up and down again is the same margin), else 0.
int settings_differ(const ts_settings *a, const ts_settings *b);

#endif
