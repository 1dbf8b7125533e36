#!/bin/sh
# bench.sh HOUKAN - make bench (tools/bench.py does the work).
exec python3 "$(dirname "$0")/bench.py" "$@"
