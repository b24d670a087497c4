#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1; start local ones when the binaries are
# installed and nothing is running. Fails loudly when it cannot.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

wait_for() {  # name, check function
  for _ in $(seq 1 30); do "$2" && return 0; sleep 1; done
  echo "ERROR: $1 did not come up on 127.0.0.1" >&2; return 1
}

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
    wait_for PostgreSQL pg_up
  else
    echo "ERROR: PostgreSQL is not reachable on 127.0.0.1:5432 and no local server is installed." >&2
    echo "       Install PostgreSQL (apt-get install postgresql) or point TEST_DATABASE_URL at one." >&2
    exit 1
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis ..."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis_up
  else
    echo "ERROR: Redis is not reachable on 127.0.0.1:6379 and redis-server is not installed." >&2
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up."
