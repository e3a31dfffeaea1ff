// error.h: one-line error messages carried out of the core to the front end.
//
// Nothing in the core prints or exits. A function that can fail on bad input
// fills a ts_error and returns -1; the front end prints the message as one
// line and exits with status 2.
#ifndef TRIPLETSCOPE_ERROR_H
#define TRIPLETSCOPE_ERROR_H

typedef struct {
    char msg[512]; // "WHAT: what is wrong", WHAT naming the file or flag
} ts_error;

// Formats the message into err (if err is not NULL); always returns -1 so
// callers can write `return ts_fail(err, ...)`.
int ts_fail(ts_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
