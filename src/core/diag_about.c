// diag_about.c: the finding view's table (diag_about.h): what each finding
// means and the section of docs/failure-modes.md that explains it, and the
// unit of each evidence name. The catalogue in docs/failure-modes.md says the
// same at length; these sentences are its Symptom, Cause and Fix in brief.
#include <string.h>
#include "tripletscope/diag_about.h"

// One row per finding; the section is how its heading starts, so that the
// severity or model a heading gives after the code may change.
static const ts_diag_about about[] = {
    {FIND_COLLAPSE,
     "Every embedding has moved to nearly the same point: d_ap and d_an are both near 0 and the "
     "loss sits at the margin. The hardest mining finds this shortcut; semi-hard mining avoids it.",
     "`collapse`"},
    {FIND_ALL_EASY,
     "Almost every triplet already meets the margin, so the loss is 0 and nothing is learned any "
     "more. A margin tiny for the distance scale does this, and a larger one gives the gradient "
     "back; on a model that already retrieves well it is convergence at that margin (an info).",
     "`all_easy`"},
    {FIND_NO_POSITIVES,
     "Many anchors have no other sample of their class in the batch, so they form no triplet and "
     "teach nothing. P x K batches give every anchor K - 1 positives.",
     "`no_positives`"},
    {FIND_SELF_POSITIVE,
     "The hardest-neg miner drew the anchor itself as its positive (d_ap = 0), so those triplets "
     "only push negatives away. Semi-hard mining never pairs an anchor with itself.",
     "`self_positive`"},
    {FIND_MARGIN_SCALE,
     "The margin is wide for the distances the embeddings can have (at most 2 on the unit "
     "sphere), so most triplets stay active and the loss cannot fall. A smaller margin fits.",
     "`margin_scale`"},
    {FIND_NORM_DRIFT,
     "On raw embeddings the norms keep growing or shrinking: the loss is met by rescaling, not by "
     "arranging the classes. L2 normalisation makes the distances independent of the norms.",
     "`norm_drift`"},
    {FIND_TOO_HARD,
     "Hard triplets (the negative closer than the positive) dominate what the miner picks and the "
     "loss does not fall: the mining is too hard for the model, or labels are noisy. Semi-hard "
     "mining gives triplets it can learn from.",
     "`too_hard`"},
    {FIND_DIVERGED,
     "The loss or the embeddings became NaN or Inf, or the loss exploded: the learning rate is far "
     "too high. Lower it, then start again from fresh weights.",
     "`diverged`"},
    {FIND_NO_SIGNAL,
     "The training loss falls but held-out P@1 stays at chance for every model: the labels do not "
     "follow the features, so there is nothing to learn. No key helps; the data must change.",
     "`no_signal`"},
    {FIND_AVERAGING,
     "The nonzero reducer averages the loss over the active triplets only, so the loss reads flat "
     "while fewer are active and MAP@R rises. Nothing is wrong; the plain mean shows the fall.",
     "`averaging`"},
    {FIND_SIAMESE_AHEAD,
     "On the same data and batches the Siamese model retrieves clearly better: the triplet setup "
     "(mining, margin, sampling), not the data, holds the triplet model back. The triplet findings "
     "say which part.",
     "`siamese_ahead`"},
    {FIND_INVERTED_PAIRS,
     "The Siamese model pushes positives as far as negatives: its pair labels mean the opposite of "
     "what the contrastive loss expects (y = 1 - y). Flip the labels.",
     "`inverted_pairs`"},
    {FIND_ZERO_DISTANCE,
     "Some pairs of the batch sit at distance 0, where the square root's gradient is infinite "
     "(NaN unless guarded, as here): duplicates in the batch. The squared distance has no root.",
     "`zero_distance`"},
    {FIND_NOTHING_MINED,
     "The miner selects no triplet in most batches, so the loss is 0 and there is no gradient: no "
     "anchor has both a positive and a negative. P x K batches give every anchor both.",
     "`nothing_mined`"},
    {FIND_SEMIHARD_FALLBACK,
     "Under semi-hard mining most positive pairs find no negative beyond d_ap, so the miner falls "
     "back to other negatives: this model cannot (yet) separate the classes. No key changes that.",
     "`semihard_fallback`"},
    {FIND_LABEL_NOISE,
     "The hardest mining keeps picking the same few samples: likely mislabelled ones. Clean the "
     "labels (the export lists the suspects) or mine semi-hard, which they sway less.",
     "`label_noise`"},
    {FIND_STATIC_TRIPLETS,
     "The triplets were chosen once and are never mined again: the model has learned them all "
     "(loss 0) while held-out retrieval stays poor. Mining online picks new ones from each batch.",
     "`static_triplets`"},
    {FIND_DIM_COLLAPSE,
     "The embeddings use only a few of their dimensions, fewer than the classes need: most units "
     "died, usually from a learning rate far too high. Lower it and start from fresh weights.",
     "`dim_collapse`"},
    {FIND_OVERFIT,
     "The training loss keeps falling while held-out MAP@R falls: the network memorises a "
     "training set too small for it. Stop at the best evaluation, add weight decay, or add data.",
     "`overfit`"},
};

#define N_ABOUT (sizeof about / sizeof about[0])

const ts_diag_about *diag_about(ts_finding_code c) {
    for (size_t i = 0; i < N_ABOUT; i++)
        if (about[i].code == c) return &about[i];
    return NULL;
}

// Distances, margins and counts are in the units of the distance in use
// (docs/failure-modes.md); a share is a fraction in [0, 1] of what it names.
#define DIST "distance units"
static const struct {
    const char *name, *unit;
} units[] = {
    {"d_pos", DIST}, {"d_neg", DIST}, {"margin", DIST}, {"limit", DIST}, {"min_dist", DIST},
    {"margin_over_d_neg", "ratio"}, {"ratio", "ratio"}, {"ratio_min", "ratio"},
    {"top_ratio", "ratio"},
    {"loss", "loss"}, {"loss_now", "loss"}, {"loss_before", "loss"}, {"loss_then", "loss"},
    {"baseline_median", "loss"},
    {"easy", "share of valid triplets"}, {"semihard", "share of valid triplets"},
    {"hard", "share of valid triplets"}, {"easy_max", "share of valid triplets"},
    {"active", "share of mined triplets"}, {"active_max", "share of mined triplets"},
    {"active_min", "share of mined triplets"}, {"active_before", "share of mined triplets"},
    {"active_now", "share of mined triplets"}, {"mined_hard", "share of mined triplets"},
    {"listed_easy", "share of listed triplets"},
    {"no_positive", "share of anchors"}, {"self_positive", "share of anchors"},
    {"batch", "samples"}, {"classes", "classes"}, {"n_suspects", "samples"},
    {"window", "steps"}, {"over_steps", "steps"}, {"peak_step", "step"}, {"below_since", "step"},
    {"raw_norm", "embedding length"}, {"norm_before", "embedding length"},
    {"norm_now", "embedding length"}, {"norm_mean", "embedding length"},
    {"map_rise", "MAP@R"}, {"map_peak", "MAP@R"}, {"map_now", "MAP@R"}, {"fall", "MAP@R"},
    {"fall_min", "MAP@R"}, {"siamese_map_at_r", "MAP@R"}, {"triplet_map_at_r", "MAP@R"},
    {"gap", "MAP@R"}, {"map_at_r", "MAP@R"}, {"converged_map", "MAP@R"}, {"level_gap", "MAP@R"},
    {"chance", "P@1"}, {"tolerance", "P@1"}, {"p_at_1", "P@1"}, {"raw_p_at_1", "P@1"},
    {"p_at_1_siamese", "P@1"}, {"p_at_1_triplet", "P@1"},
    {"lr", "learning rate"}, {"weight_decay", "weight decay"},
    {"loss_fall", "share of the loss then"}, {"loss_fall_min", "share of the first loss"},
    {"loss_fall_siamese", "share of the first loss"}, {"loss_fall_triplet", "share of the first loss"},
    {"evals", "evaluations"}, {"evals_below", "evaluations"},
    {"zero_pairs", "pairs a batch"}, {"mined_zero", "mined triplets a batch"},
    {"valid", "triplets a batch"}, {"nothing_mined", "share of batches"},
    {"fallback", "share of positive pairs"}, {"fallback_min", "share of positive pairs"},
    {"share", "share of the hardest picks"}, {"share_min", "share of the hardest picks"},
    {"effective_rank", "dimensions"}, {"needed", "dimensions"}, {"rank_min", "dimensions"},
    {"dims", "dimensions"}, {"pc1_share", "share of variance"}, {"pc1_max", "share of variance"},
    {"std_l2", "per dimension, unit length"}, {"std_l2_spread", "per dimension, unit length"},
    // Texts and flags: the value says it all.
    {"miner", ""}, {"reduce", ""}, {"distance", ""}, {"pair_labels", ""}, {"suspects", ""},
    {"triplet_findings", ""}, {"normalize", ""}, {"reset", ""}, {"converged", ""},
};

const char *diag_evidence_unit(const char *name) {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(units[i].name, name) == 0) return units[i].unit;
    return NULL;
}
