# memtest: demand paging (sparse faults, huge pages, mprotect); see memtest.c.
APP_ARGS :=
