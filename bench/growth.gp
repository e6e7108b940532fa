# Wall time by scale for each tool (bench/run.sh --scale 1,2,4).
set terminal pngcairo size 900,560
set output outfile
set title 'Wall time by scale'
set xlabel 'bench scale (1 ≈ 0.7 GB)'
set ylabel 'wall time (s)'
set key top left
set grid
plot for [i=2:ncols-1] datafile using 1:i with linespoints title columnhead(i)
