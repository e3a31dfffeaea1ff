// clock.h: wall time for rates and timing fields.
#ifndef TRIPLETSCOPE_CLOCK_H
#define TRIPLETSCOPE_CLOCK_H

// Seconds on a monotonic clock (only differences mean anything).
double clock_now(void);

#endif
