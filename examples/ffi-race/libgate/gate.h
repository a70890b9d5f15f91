/* gate.h — public C API of libgate, the native library of the ffi-race example.
 * One source tree builds every version 1.0 … 1.7 (-DGATE_VERSION_MINOR=N). The API is the
 * same in all of them; the planted bug (1.4+) is described in gate.c. */
#ifndef GATE_H
#define GATE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gate gate;

/* Exposure callback: called on one of libgate's own worker threads with the JSON result of
 * a gate_check() (valid only during the call). */
typedef void (*gate_callback)(void* ctx, const char* event);

/* "1.N" */
const char* gate_version(void);

/* A gate evaluator with its own pool of worker threads; NULL on failure. */
gate* gate_create(void);
void gate_destroy(gate* g);

/* Evaluates gate `name`. Returns a malloc'd string such as
 *   {"gate":"gate-3-17","value":true,"rule":"rollout-42","lib":"1.3"}
 * that the caller releases with gate_free_string(); NULL on bad arguments or no memory.
 * If a callback is registered, the exposure is delivered to it on a worker thread before
 * gate_check() returns. Safe to call from any number of threads at once. */
char* gate_check(gate* g, const char* name);
void gate_free_string(char* s);

/* Registers (or replaces) the exposure callback. Returns 0, or -1 on bad arguments.
 * Contract: once gate_set_callback() (replacing) or gate_clear_callback() returns, the
 * previous fn is never called again with its ctx, so the caller may free ctx. Set and clear
 * must not race each other (callers serialise them); gate_check may run concurrently. */
int gate_set_callback(gate* g, gate_callback fn, void* ctx);
void gate_clear_callback(gate* g);

#ifdef __cplusplus
}
#endif

#endif
