/* gate.c — libgate 1.0 … 1.7: feature-gate evaluation whose exposure callback runs on
 * libgate's own worker threads. PLANTED BUG (1.4 and later, "lock-free dispatch"): workers
 * read the callback registration without the lock and without a reference, and unregistering
 * frees it at once while a worker may still be calling through it — a heap-use-after-free
 * (ASan) and a data race (TSan), seen only when several threads check and (un)register. */
#define _POSIX_C_SOURCE 200809L
#include "gate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GATE_VERSION_MINOR
#error "build with -DGATE_VERSION_MINOR=N (N = 0 … 7)"
#endif
#if GATE_VERSION_MINOR < 0 || GATE_VERSION_MINOR > 7
#error "libgate versions are 1.0 … 1.7"
#endif

/* 1.4 changelog: "dispatch exposures without taking the gate lock (faster callbacks)". */
#define GATE_LOCKFREE_DISPATCH (GATE_VERSION_MINOR >= 4)
#define GATE_WORKERS 2

#define STR2(x) #x
#define STR(x) STR2(x)

struct registration {
    gate_callback fn;
    void *ctx;
    unsigned long calls;
    int inflight; /* workers currently calling fn (1.0 … 1.3) */
};

struct job {
    const char *event;
    int done;
    struct job *next;
};

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a job was queued, or stopping */
    pthread_cond_t done_cv; /* a job finished, or a registration drained */
    struct job *head, *tail;
    int stopping;
    struct registration *cb; /* guarded by mu — except in 1.4+, see worker_main */
    atomic_int listening;
    pthread_t workers[GATE_WORKERS];
    int nworkers;
};

const char *gate_version(void) { return "1." STR(GATE_VERSION_MINOR); }

static unsigned hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; ++s) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static char *evaluate(const char *name) {
    unsigned h = hash(name);
    const char *fmt = "{\"gate\":\"%s\",\"value\":%s,\"rule\":\"rollout-%02u\",\"lib\":\"%s\"}";
    const char *value = (h % 100u) < 50u ? "true" : "false";
    int n = snprintf(NULL, 0, fmt, name, value, h % 97u, gate_version());
    if (n < 0) return NULL;
    char *out = malloc((size_t)n + 1);
    if (out) snprintf(out, (size_t)n + 1, fmt, name, value, h % 97u, gate_version());
    return out;
}

static void *worker_main(void *arg) {
    gate *g = arg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->head && !g->stopping) pthread_cond_wait(&g->work_cv, &g->mu);
        if (!g->head) break; /* stopping, queue drained */
        struct job *j = g->head;
        g->head = j->next;
        if (!g->head) g->tail = NULL;
#if GATE_LOCKFREE_DISPATCH
        pthread_mutex_unlock(&g->mu);
        struct registration *r = g->cb; /* BUG: unlocked read, no reference taken */
        if (r) {
            r->fn(r->ctx, j->event); /* r (and ctx) may be freed by gate_clear_callback now */
            r->calls++;
        }
        pthread_mutex_lock(&g->mu);
#else
        struct registration *r = g->cb;
        if (r) r->inflight++;
        pthread_mutex_unlock(&g->mu);
        if (r) r->fn(r->ctx, j->event);
        pthread_mutex_lock(&g->mu);
        if (r) {
            r->calls++;
            r->inflight--;
        }
#endif
        j->done = 1;
        pthread_cond_broadcast(&g->done_cv);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

gate *gate_create(void) {
    gate *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->work_cv, NULL);
    pthread_cond_init(&g->done_cv, NULL);
    atomic_init(&g->listening, 0);
    for (int i = 0; i < GATE_WORKERS; ++i) {
        if (pthread_create(&g->workers[i], NULL, worker_main, g) != 0) {
            gate_destroy(g);
            return NULL;
        }
        g->nworkers++;
    }
    return g;
}

void gate_destroy(gate *g) {
    if (!g) return;
    pthread_mutex_lock(&g->mu);
    g->stopping = 1;
    pthread_cond_broadcast(&g->work_cv);
    pthread_mutex_unlock(&g->mu);
    for (int i = 0; i < g->nworkers; ++i) pthread_join(g->workers[i], NULL);
    free(g->cb);
    pthread_cond_destroy(&g->done_cv);
    pthread_cond_destroy(&g->work_cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Hands the exposure to a worker and waits until it has been delivered. */
static void deliver_exposure(gate *g, const char *event) {
    struct job j = {event, 0, NULL};
    pthread_mutex_lock(&g->mu);
    if (g->tail) g->tail->next = &j;
    else g->head = &j;
    g->tail = &j;
    pthread_cond_signal(&g->work_cv);
    while (!j.done) pthread_cond_wait(&g->done_cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

char *gate_check(gate *g, const char *name) {
    if (!g || !name) return NULL;
    char *result = evaluate(name);
    if (result && atomic_load(&g->listening)) deliver_exposure(g, result);
    return result;
}

void gate_free_string(char *s) { free(s); }

#if !GATE_LOCKFREE_DISPATCH
/* Swaps in `next` and waits until no worker is still calling the old registration. */
static struct registration *swap_and_drain(gate *g, struct registration *next) {
    pthread_mutex_lock(&g->mu);
    struct registration *old = g->cb;
    g->cb = next;
    atomic_store(&g->listening, next != NULL);
    while (old && old->inflight > 0) pthread_cond_wait(&g->done_cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return old;
}
#endif

int gate_set_callback(gate *g, gate_callback fn, void *ctx) {
    if (!g || !fn) return -1;
    struct registration *r = calloc(1, sizeof *r);
    if (!r) return -1;
    r->fn = fn;
    r->ctx = ctx;
#if GATE_LOCKFREE_DISPATCH
    struct registration *old = g->cb;
    g->cb = r;
    atomic_store(&g->listening, 1);
    free(old); /* BUG: a worker may still be calling through old */
#else
    free(swap_and_drain(g, r));
#endif
    return 0;
}

void gate_clear_callback(gate *g) {
    if (!g) return;
#if GATE_LOCKFREE_DISPATCH
    struct registration *old = g->cb;
    g->cb = NULL;
    atomic_store(&g->listening, 0);
    free(old); /* BUG: a worker may still be calling through old */
#else
    free(swap_and_drain(g, NULL));
#endif
}
