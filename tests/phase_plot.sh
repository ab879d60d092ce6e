#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# phase_plot.sh DUMPDIR LABEL OUT.png: draws what `phase-score --dump
# DUMPDIR` wrote for one record (docs/PHASES.md): hot bytes per address
# cell of the worked-on areas, the shares of the varying functions, the
# boundaries found (solid: call path or activity; dotted: memory) and the
# truth's (dashed, named).
set -euo pipefail
dir=$1 label=$2 out=$3
calls=$dir/$label.calls heat=$dir/$label.heat bounds=$dir/$label.bounds
frames=$(sed -n 's/^# frames: //p' "$calls")
n=$(wc -w <<<"$frames")
{
	echo "set terminal pngcairo size 1200,700 font 'sans,10' noenhanced"
	echo "set output '$out'"
	echo "set multiplot layout 2,1 title '$label: found boundaries (solid: call path, dotted: memory) and truth (dashed)'"
	echo "set lmargin 10; set rmargin 22; set xlabel 'time since the program started (s)'"
	awk '$1 == "found" { printf "set arrow from %s, graph 0 to %s, graph 1 nohead lw 2 lc rgb \"%s\" %s front\n", $2, $2, "black", $3 == "memory" ? "dt 3" : "" }
	     $1 == "truth" { printf "set arrow from %s, graph 0 to %s, graph 1 nohead lw 1.5 lc rgb \"red\" dt 2 front\n", $2, $2;
			      printf "set label \"%s\" at %s, graph 1.02 rotate by 30 font \",8\" textcolor rgb \"red\"\n", $3, $2 }' "$bounds"
	echo "set ylabel 'address cell'; set cblabel 'hot MiB'; set palette rgb 33,13,10"
	echo "plot '$heat' using (\$1):3:(\$1):(\$2):(\$3-0.5):(\$3+0.5):4 with boxxyerror fs solid noborder lc palette notitle"
	echo "unset label; set ylabel 'inclusive share'; set yrange [-0.05:1.05]; set key outside right"
	printf "plot "
	i=2
	for f in $frames; do
		[ $i -gt 2 ] && printf ", "
		printf "'%s' using 1:%d with lines lw 1.5 title '%s'" "$calls" $i "$f"
		i=$((i + 1))
		[ $i -gt 9 ] && break
	done
	echo
	echo "unset multiplot"
} | gnuplot
