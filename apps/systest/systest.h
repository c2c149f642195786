/* What the parts of systest share: one line per check, failures counted. */
#ifndef SYSTEST_H
#define SYSTEST_H

/* Print "systest: WHAT: ok" or "...: FAILED" and count a failure. */
void check(int ok, const char *what);
/* The wall clocks against the host's time HOST_SECONDS (decimal seconds since 1970), or NULL. */
void realtime_checks(const char *host_seconds);

#endif
