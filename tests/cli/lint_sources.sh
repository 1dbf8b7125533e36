# Banned calls (PRACTICES 7): time only through base/clock.h, formatting
# through hk_snprintf, allocation through hk_malloc and friends.
. "$SRC/tests/lib.sh"
cd "$SRC" || exit 1
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
check_banned() { # NAME REGEX [ALLOWED-FILE...]
	name=$1 re=$2; shift 2
	hits=$(grep -nE "$re" $files /dev/null | grep -v '^tests/unit/main.c' )
	for allow in "$@"; do hits=$(printf '%s\n' "$hits" | grep -v "^$allow:"); done
	hits=$(printf '%s\n' "$hits" | grep -v '^$')
	if [ -z "$hits" ]; then pass "$name"; else fail "$name" "$(printf '%s' "$hits" | head -3)"; fi
}
check_banned no_strcpy '\<(strcpy|strcat|strncpy|strncat)[[:space:]]*\('
check_banned no_sprintf '[^n]sprintf[[:space:]]*\(|\<vsprintf[[:space:]]*\('
check_banned no_strtok '\<strtok[[:space:]]*\('
check_banned no_gets '\<gets[[:space:]]*\('
check_banned no_tz_time '\<(localtime|localtime_r|gmtime|gmtime_r|ctime|asctime|mktime)[[:space:]]*\('
check_banned no_wall_clock '\<time[[:space:]]*\([[:space:]]*(NULL|0)?[[:space:]]*\)' base/clock.c
check_banned no_raw_malloc '(^|[^_a-z])(malloc|calloc|realloc|strdup)[[:space:]]*\(' base/alloc.c
check_banned no_rand '\<s?rand[[:space:]]*\('
