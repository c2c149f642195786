# TLB misses per 1,000 instructions against TLB entries: a line per workload
# and backend.  Set on the command line: datafile (sweep.dat: a block of
# "entries mpki" lines per series), output, series (the blocks' names,
# "workload,platform", space-separated, in block order).
set terminal pngcairo size 960,540 font ",10" noenhanced
set output output
set logscale x 2
set logscale y
set xlabel "entries per TLB (instruction and data, fully associative)"
set ylabel "TLB misses per 1,000 instructions"
set grid
set key outside right
plot for [s = 1:words(series)] datafile index (s - 1) using 1:2 with linespoints lw 2 \
	lc ((s + 1) / 2) dt 1 + (strstrt(word(series, s), "cells") > 0) pt (s % 2 ? 7 : 5) title word(series, s)
