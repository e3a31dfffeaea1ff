// command.h: the one vocabulary of what a user (or a script, or a
// suggestion of the diagnosis) can ask of a run: one enum, one table.
//
// Scripts (--script "300:p"), the JSON lines ("key" of an event, "suggest"
// of a finding) and the interface's default keys all spell a command by its
// letter, a public interface: it never changes. Who carries a command out
// is its scope: the trainer changes a setting, the driver pauses, steps
// and quits, the interface shows help or the projection. Only the interface
// maps terminal keys to commands and writes "press X".
#ifndef TRIPLETSCOPE_COMMAND_H
#define TRIPLETSCOPE_COMMAND_H

typedef enum {
    CMD_NONE,
    CMD_MINER_NEXT,
    CMD_MINER_PREV,
    CMD_SAMPLER,
    CMD_MARGIN_UP,
    CMD_MARGIN_DOWN,
    CMD_NORMALIZE,
    CMD_DISTANCE,
    CMD_LR_UP,
    CMD_LR_DOWN,
    CMD_SOFT,
    CMD_REDUCE,
    CMD_WEIGHT_DECAY,
    CMD_PAIR_LABELS,     // the Siamese model's pair labels normal / inverted
    CMD_RESET,
    CMD_RESEED,
    CMD_EXPORT,
    CMD_PAUSE,
    CMD_STEP,
    CMD_QUIT,
    CMD_HELP,
    CMD_PROJECTION,
    CMD_REDRAW,
    CMD_DUMP_PREV,       // a watched run's timeline: the dump before the one shown
    CMD_DUMP_NEXT,
    CMD_DUMP_FIRST,
    CMD_DUMP_LAST,
    CMD_FOLLOW,          // show the newest dump as it comes
    CMD_LOSS_AXIS,       // the loss panels' view: linear, log scale, recent steps
    CMD_SLOWER,          // the interface's pace: the rung below (steps per second)
    CMD_FASTER,          // the rung above, up to full speed
    CMD_AUTO_PAUSE,      // --pause-on's auto-pause on / off
    CMD_RESTORE,         // P: the settings the run started with again (after a divergence,
                         // and a reset)
    CMD_FINDINGS,        // the finding view: open it on a finding, then the next one
    CMD_FINDINGS_PREV,   // the finding view on the finding before
    CMD_COUNT
} ts_command;

typedef enum {
    SCOPE_TRAINER,     // changes a setting of the run (an event), resets or exports
    SCOPE_DRIVER,      // pause, one step, quit
    SCOPE_INTERFACE,   // the interface's own view (headless: nothing to do)
    SCOPE_SOURCE,      // a watched run's timeline (which dump is shown): no event
} ts_command_scope;

// What a change of setting changes in the reading of a step's numbers, one
// generation counter each (track.h): a window of the diagnosis that reads a
// kind spans only steps of one generation of it (docs/failure-modes.md, "A
// change of setting restarts the windows").
typedef enum {
    READ_SPACE,     // the distances: normalisation, the distance (n, d)
    READ_LOSS,      // the loss and the difficulty counts: margin, soft, reduce, pair labels
    READ_MINING,    // which triplets are mined (m, M)
    READ_BATCH,     // the batches' composition: the sampler (p)
    TS_READINGS
} ts_reading;
#define TS_READ_BIT(r) (1u << (r))
#define TS_READ_ALL ((1u << TS_READINGS) - 1)

typedef struct {
    char letter;          // its letter in scripts and JSON lines; 0: none (not scriptable)
    const char *name;     // "miner_next": how docs name it
    const char *setting;  // the setting its event names ("miner"), or NULL
    unsigned models;      // the models it acts on (TS_MODEL_BIT), 0 for none
    ts_command_scope scope;
    int resets;           // 1: starts the run again (r, R): not a change of setting
    const char *help;     // one line; NULL when the command before it describes both
                          // (the pairs m M, + -, ] [)
    const char *advice;   // what to change in an attached run's own training, where
                          // no key acts on a model (a finding's suggestion), or NULL
    unsigned readings;    // the readings (TS_READ_BIT) a change by it restarts: none for
                          // the optimizer's settings (lr, weight decay: they change how a
                          // model moves, not what a step's numbers mean) and non-settings
} ts_command_info;

// The row of c (CMD_NONE gives an empty row).
const ts_command_info *command_info(ts_command c);
// The command spelled by letter, or CMD_NONE.
ts_command command_by_letter(int letter);
// The letter of c, or 0.
char command_letter(ts_command c);
// The readings c restarts when it changes a setting (its row's).
unsigned command_readings(ts_command c);
// The readings a change of the setting named `setting` (an event's
// "setting": "margin", "lr", ...) restarts: its command's; every one for a
// name no command sets.
unsigned setting_readings(const char *setting);
// Every scriptable letter, in the table's order ("mMp+-nd][ozwlrRe .q?vfg<>aPi").
const char *command_letters(void);

#endif
