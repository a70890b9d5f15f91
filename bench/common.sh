# Shared by the whole-command bench scripts (sourced, not run).

# median V...: the median of the numbers given as arguments (the mean of the two
# middle ones for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# write_flood_matrix DIR SIZE: DIR/faultline.yaml, one cell whose workload writes
# SIZE bytes of zeros to stdout (the capture benchmarks' load).
write_flood_matrix() {
  cat > "$1/faultline.yaml" <<YAML
version: 1
components:
  none: { versions: ["1"] }
workloads:
  flood: { run: "head -c $2 /dev/zero", timeout: 10m }
stress: { runs: 1 }
YAML
}
