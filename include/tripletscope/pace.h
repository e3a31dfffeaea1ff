// pace.h: the interface's speed control: a pace in steps per second on a
// ladder of rungs (1, 2, 5 ... 500, then full speed), and how long the
// worker waits before its next step. Pure arithmetic: tests/test_pace.c.
#ifndef TRIPLETSCOPE_PACE_H
#define TRIPLETSCOPE_PACE_H

#define TS_PACE_FULL 0        // no pacing: steps run as fast as they can
#define TS_PACE_MAX 100000    // the highest pace --speed takes, steps/s

// The next rung above speed (a pace between rungs goes to the next one up;
// 500 goes to full speed, which stays).
int pace_faster(int speed);
// The next rung below speed (full speed goes to 500; 1 stays).
int pace_slower(int speed);
// Parses --speed's value: "full" (TS_PACE_FULL) or 1..TS_PACE_MAX steps/s.
// Returns 0, or -1 leaving *speed alone.
int pace_parse(const char *s, int *speed);
// Seconds to wait at time now before the next step, when the last one
// started at last_start (< 0: none yet): 0 at full speed or when it is due.
double pace_wait(int speed, double last_start, double now);
// "full speed" or "12 steps/s", into buf.
void pace_text(int speed, char *buf, int n);

#endif
