#!/bin/sh
# check_same.sh - the diagnostics of `houkan check` over many files, in one
# stream, for comparing two builds (tools/check_mutate.py makes the files):
#   sh tools/check_same.sh build/houkan DIR > out.txt
# The files are checked 50 at a time as JSON, as text, with --tolerant and
# with --no-master; each run is followed by a line with its exit status.
houkan=$1
dir=$2
export LC_ALL=C TZ=UTC HOUKAN_NOW=2024-07-05T00:00:00Z
export HOUKAN_MASTER_DIR="${HOUKAN_MASTER_DIR:-$(dirname "$0")/../data/master}"
ls "$dir" | grep '\.UKE$' | sed "s|^|$dir/|" | xargs -n 50 sh -c '
	h=$0
	for mode in --format=json --format=text --tolerant --no-master; do
		"$h" check "$mode" "$@" 2>&1
		echo "== $mode rc=$?"
	done' "$houkan"
