/*
 * The order of the changes to the objects a thread can wait for (pipes,
 * eventfds, epolls, the console).  Each change takes the next stamp, so an
 * object's latest stamp says whether it changed since a stamp seen before;
 * epoll's edge trigger compares them (kernel/epoll.h).  Stamps never
 * repeat and never go back.
 */
#ifndef KERNEL_CHANGE_STAMP_H
#define KERNEL_CHANGE_STAMP_H

#include <stdint.h>

/* A stamp later than every one given before (implemented in kernel/file_ready.c). */
uint64_t change_stamp_next(void);

#endif
