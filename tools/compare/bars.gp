# Clustered bars, one cluster per workload, one bar per backend.
# Set on the command line: datafile, output, ylabel, logscale (0 or 1),
# titles (the backends, space-separated, in the data file's column order).
set terminal pngcairo size 960,480 font ",10" noenhanced
set output output
set datafile missing "?"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel ylabel
set xtics rotate by -30 nomirror
set ytics nomirror
set grid ytics
set key top left
if (logscale) { set logscale y }
set yrange [logscale ? 1 : 0:*]
plot for [i = 1:words(titles)] datafile using (column(i + 1)):xtic(1) title word(titles, i)
