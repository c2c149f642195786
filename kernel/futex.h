/*
 * Futexes: threads blocked on a user address (kernel/sched.h), woken
 * oldest first.  Addresses are the process's virtual addresses (one
 * process, one space), so private and shared futexes are the same here.
 */
#ifndef KERNEL_FUTEX_H
#define KERNEL_FUTEX_H

#include <stdint.h>

#define FUTEX_BITSET_ANY 0xffffffffu

/*
 * Block the running thread on UADDR if the word there still holds VAL,
 * until a wake sharing BITSET or DEADLINE (NO_DEADLINE: none).  0 (the
 * call's result is then the wake's), -EAGAIN (the word differs), -EFAULT,
 * -ETIMEDOUT (the deadline has passed already).
 */
long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset);

/* Wake up to N threads blocked on UADDR whose bitset shares BITSET: how many. */
long futex_wake(uint64_t uaddr, uint64_t n, uint32_t bitset);

/*
 * Wake up to NWAKE threads blocked on UADDR and move up to NMOVE others to
 * wait on UADDR2: how many were woken and moved (CMP_REQUEUE: only if the
 * word at UADDR holds VAL3 when COMPARE, else -EAGAIN).
 */
long futex_requeue(uint64_t uaddr, uint64_t nwake, uint64_t uaddr2, uint64_t nmove, int compare,
		   uint32_t val3);

#endif
