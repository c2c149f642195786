# Cost against N, both backends on one plot, log-log.  Set on the command
# line: datafile (scale.csv), output, backends (their names, as in the CSV),
# and tables=1 for table bytes instead of instructions per operation.
if (!exists("tables")) tables = 0
set terminal pngcairo size 960,540 font ",10" noenhanced
set output output
set datafile separator ","
set logscale xy
set xlabel "live mappings N"
set grid
set key outside right
set xtics (16, 64, 256, 1024, 4096, 16384)
ops = "map fault protect unmap"
# column of each operation: map 3, fault 4, protect 5, unmap 6; table bytes 7
if (tables) {
	set ylabel "translation table bytes"
	plot for [b = 1:words(backends)] datafile using \
		(strcol(1) eq word(backends, b) ? $2 : NaN):7 every ::1 with linespoints lw 2 title word(backends, b)
} else {
	set ylabel "instructions per operation"
	plot for [b = 1:words(backends)] for [o = 1:4] datafile using \
		(strcol(1) eq word(backends, b) ? $2 : NaN):(column(o + 2)) every ::1 with linespoints \
		lc b dt o lw 2 pt (o + 4) title word(backends, b) . " " . word(ops, o)
}
