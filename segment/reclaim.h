/* Reclaim shared by the demand-zero segprocs. */
#ifndef SEGMENT_RECLAIM_H
#define SEGMENT_RECLAIM_H

#include "segment/segment.h"

/*
 * Unplace the data tablets of SEG that own their memory and were never
 * written since they were placed (dirty bit clear: still as the fault made
 * them, so the next one makes them again), until WANT bytes are freed.
 * Returns the bytes freed: they are back once the unreachable queue is
 * handed over, as segment_reclaim_all does before it returns.  It has the shape of a segproc's reclaim handler,
 * and the demand-zero segprocs use it as theirs.
 */
uint64_t reclaim_clean(struct segment *seg, uint64_t want);

#endif
