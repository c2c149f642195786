/*
 * Kernel self-tests that must run inside the guest, chosen on the kernel
 * command line (/chosen/bootargs) as ktest=NAME:
 *   fault  a load from an unmapped kernel address: the panic report must
 *          name the cause, sepc, stval and this function's symbol
 *   timer  wait for three timer interrupts, then boot the application
 *   bench  measure single vmm operations (vmm_bench) for the stats line
 *   tty    read console input by polling, print each read, then boot the
 *          application (until ^D on an empty line, 4 reads or 5 s idle)
 * Any other name goes to the vmm backend (vmm_selftest): the Sv48 backend
 * has "expiry", a rental that ends on time.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Run the self-test BOOTARGS names, if any (BOOTARGS may be NULL). */
void selftest_run(const char *bootargs);

#endif
