/*
 * A host-only countdown that makes one allocation fail: linked with
 * -Wl,--wrap=frame_alloc,--wrap=frame_alloc_tagged,--wrap=kmalloc,--wrap=kzalloc
 * (tests/host/host.mk, ALLOC_FAIL_LDFLAGS), so every allocation the vmm and
 * its backends make between two source files passes through here.  An
 * allocation the heap makes for a kmalloc is part of that kmalloc and is
 * not counted on its own.
 */
#ifndef TESTS_HOST_ALLOC_FAIL_H
#define TESTS_HOST_ALLOC_FAIL_H

/* From now on count allocations and make the Nth (1-based) fail; 0 counts only. */
void alloc_fail_arm(unsigned long n);
/* Stop counting; returns how many allocations were attempted since alloc_fail_arm. */
unsigned long alloc_fail_disarm(void);
/* Whether the armed failure happened since alloc_fail_arm. */
int alloc_fail_fired(void);

#endif
