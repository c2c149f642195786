# scale: the cost of mmap, first touch, mprotect and munmap at N live scattered mappings.
# N is the last argument (default 1024); tools/bench-scale.sh gives it on the kernel command
# line (BOOTARGS="-- N"), so one image serves every N.
APP_ARGS :=
