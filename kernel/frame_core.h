/*
 * The buddy core of the frame allocator (frame.c) as frame_layout.c, which
 * decides what is managed, drives it.  Internal to kernel/frame*.c.
 */
#ifndef KERNEL_FRAME_CORE_H
#define KERNEL_FRAME_CORE_H

#include <stdint.h>

#include "kernel/memory.h"

/* Forget everything: the allocator is empty until frame_core_start. */
void frame_core_reset(void);
/* Manage the frames of [LO, HI), their metadata (META_BYTES, one byte a
 * frame) at META_AT inside it; no frame is free yet. */
void frame_core_start(paddr_t lo, paddr_t hi, paddr_t meta_at, uint64_t meta_bytes);
/* Whether frame_core_start ran since the last reset. */
int frame_core_started(void);
/* Add the page-aligned [START, END), inside the span and clear of the
 * metadata, as free memory: maximal naturally aligned blocks, coalesced. */
void frame_core_hand_over(paddr_t start, paddr_t end);

#endif
