#!/usr/bin/env bash
# The whole test suite in two shards that run at once, each with a database and a Redis db
# of its own (the machine has two cores; one pytest process leaves one idle).
#   scripts/test_suite.sh PYTHON DATABASE_URL REDIS_URL [pytest arguments...]
# Shard a: tests/foundation and tests/daily on DATABASE_URL and REDIS_URL; shard b: every other
# folder on DATABASE_URL + "_b" and the next Redis db. When the arguments name tests (a path
# under tests/ or a node id), one plain pytest run of just those.
set -uo pipefail
py=$1 db=$2 redis=$3
shift 3
for arg in "$@"; do
    case $arg in
    tests* | *.py | *::*) exec env DATABASE_URL="$db" REDIS_URL="$redis" "$py" -m pytest "$@" ;;
    esac
done
mkdir -p test-artifacts
shard_a=(tests/foundation tests/daily)
shard_b=()
for dir in tests/*/; do
    case $dir in tests/foundation/ | tests/daily/) ;; *) shard_b+=("${dir%/}") ;; esac
done
redis_b="${redis%/*}/$((${redis##*/} + 1))"
DATABASE_URL="$db" REDIS_URL="$redis" "$py" -m pytest "$@" "${shard_a[@]}" \
    >test-artifacts/shard-a.log 2>&1 &
pid=$!
DATABASE_URL="${db}_b" REDIS_URL="$redis_b" "$py" -m pytest "$@" "${shard_b[@]}"
b=$?
wait "$pid"
a=$?
echo "=== shard a (${shard_a[*]}), also in test-artifacts/shard-a.log:"
cat test-artifacts/shard-a.log
echo "=== shard a exit $a, shard b (${shard_b[*]}) exit $b"
exit $((a || b))
