// jsonread.h: reading one JSON object's members (run.json, a scalars.jsonl
// line): strict JSON, nesting bounded, numbers read in the C locale whatever
// locale the interface set. json.h writes JSON; this reads it.
#ifndef TRIPLETSCOPE_JSONREAD_H
#define TRIPLETSCOPE_JSONREAD_H
#include <stddef.h>

#define JSON_READ_TEXT 512   // bytes of a decoded name or string value, with its NUL

typedef enum {
    JSONV_NUMBER,   // num; also NaN, Infinity, -Infinity (Python's json writes them)
    JSONV_STRING,   // str
    JSONV_TRUE,
    JSONV_FALSE,
    JSONV_NULL,
    JSONV_OTHER,    // an array or an object, skipped whole
} json_vkind;

typedef struct {
    json_vkind kind;
    double num;
    int integer;               // a number without fraction or exponent ...
    const char *lit, *lit_end; // ... and its literal text, for integers past 2^53
    const char *str;           // the decoded string (NULL when it did not fit)
} json_value;

// Calls fn(ctx, name, v) for each top-level member of the object in text
// (NUL-terminated), in order; name is NULL when it did not fit in
// JSON_READ_TEXT. Returns 0; -1 when text is not one JSON object (nothing
// but blanks may follow it); or fn's return when it is not 0 (the walk stops).
int json_read_object(const char *text, int (*fn)(void *ctx, const char *name, const json_value *v),
                     void *ctx);

#endif
