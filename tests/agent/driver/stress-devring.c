/*
 * stress-devring.c — the ring with four producer threads and one consumer, every call under
 * one mutex as the driver holds its spinlock: built with -fsanitize=thread by tests/run.sh
 * (and plainly in the native build). The consumer parses what it pops outside the lock and
 * checks that each record arrives intact and exactly once or as a counted gap: sequence numbers
 * strictly increase, each producer's own counter (carried in filter_id) strictly increases,
 * and stored + dropped = offered = the last sequence number. Exit 0 and one summary line.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devring.h"
#include "drvtest.h"
#include "wfpw/errors.h"

#define PRODUCERS 4
#define PER_PRODUCER 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct wfpw_devring ring;
static uint8_t mem[64 * 1024];
static int producers_done;

static void *produce(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    uint8_t path[2 * (WFPW_DEV_PATH_MAX / 2 + 40)];
    struct wfpw_devrec_in in;
    uint64_t i;
    for (i = 1; i <= PER_PRODUCER; i++) {
        /* sizes from no path to beyond the maximum (cut) */
        drvtest_in(&in, path, (size_t)((i * 7919 + id * 31) % (WFPW_DEV_PATH_MAX / 2 + 40)), "C:\\p\\x.exe");
        in.process_id = id;
        in.filter_id = i;
        pthread_mutex_lock(&lock);
        wfpw_devring_push(&ring, &in);
        pthread_mutex_unlock(&lock);
        if (i % 16 == 0)
            sched_yield();  /* let the consumer in, so both full and draining states occur */
    }
    pthread_mutex_lock(&lock);
    producers_done++;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    static uint8_t out[8 * WFPW_DEV_RECORD_MAX];
    pthread_t t[PRODUCERS];
    struct wfpw_devseq seq = {0, 0};
    uint64_t last_of[PRODUCERS + 1] = {0}, received = 0;
    uintptr_t i;
    int done = 0;

    if (wfpw_devring_init(&ring, mem, sizeof(mem)) != 0)
        return 2;
    for (i = 0; i < PRODUCERS; i++)
        pthread_create(&t[i], NULL, produce, (void *)(i + 1));
    while (!done) {
        size_t n, off = 0, used;
        pthread_mutex_lock(&lock);
        done = producers_done == PRODUCERS;  /* read before the pop: nothing comes after it */
        n = wfpw_devring_pop(&ring, out, (received % 3 + 1) * WFPW_DEV_RECORD_MAX);
        pthread_mutex_unlock(&lock);
        if (n)
            done = 0;  /* drain completely before stopping */
        while (off < n) {
            struct wfpw_devrec rec;
            if (wfpw_devrec_parse(out + off, n - off, &rec, &used) != 0) {
                fprintf(stderr, "corrupt record at %zu\n", off);
                return 1;
            }
            if (wfpw_devseq_next(&seq, rec.seq) < 0 || rec.process_id < 1 || rec.process_id > PRODUCERS ||
                rec.filter_id <= last_of[rec.process_id]) {
                fprintf(stderr, "record seq %llu out of order\n", (unsigned long long)rec.seq);
                return 1;
            }
            last_of[rec.process_id] = rec.filter_id;
            received++;
            off += used;
        }
    }
    for (i = 0; i < PRODUCERS; i++)
        pthread_join(t[i], NULL);
    if (received != ring.delivered || received + ring.dropped != (uint64_t)PRODUCERS * PER_PRODUCER ||
        ring.next_seq - 1 != (uint64_t)PRODUCERS * PER_PRODUCER ||
        seq.missing + (ring.next_seq - 1 - seq.last) != ring.dropped || wfpw_devring_used(&ring) != 0) {
        fprintf(stderr, "accounting: received %llu dropped %llu missing %llu last %llu\n", (unsigned long long)received,
                (unsigned long long)ring.dropped, (unsigned long long)seq.missing, (unsigned long long)seq.last);
        return 1;
    }
    printf("devring stress: %d producers x %d records: %llu received exactly once, %llu dropped and seen as gaps\n",
           PRODUCERS, PER_PRODUCER, (unsigned long long)received, (unsigned long long)ring.dropped);
    return 0;
}
