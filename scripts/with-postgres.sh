#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 server:
#   scripts/with-postgres.sh CMD [ARGS...]
# Starts a fresh cluster from Debian's postgresql-15 binaries in a new temporary directory,
# listening on a free TCP port on 127.0.0.1 (its unix socket stays inside that directory), creates
# a database, exports WAKU_TEST_POSTGRES_URL=postgres://waku:waku@127.0.0.1:PORT/waku_test, runs
# CMD, then stops the server and removes the directory whatever happens. Exits with CMD's status.
#
# The system cluster is not used and need not run. PostgreSQL refuses to run as root, so when
# invoked as root the server runs as an unprivileged user (WAKU_PG_USER, default `nobody`); CMD
# itself still runs as the caller. Durability settings (fsync, synchronous_commit) stay at their
# defaults so that measurements made under this script mean something.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

pg_version=${WAKU_PG_VERSION:-15}
bin=/usr/lib/postgresql/${pg_version}/bin
if [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: $bin/initdb not found (run scripts/setup.sh)" >&2
  exit 2
fi

# As root, run every server-side command as an unprivileged user.
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  server_user=${WAKU_PG_USER:-nobody}
  as_server=(runuser -u "$server_user" --)
fi

# A run killed with SIGKILL cannot clean up: its server keeps running and its directory (up to
# tens of GB after a benchmark) stays. Each run records its own PID; directories whose recorded
# owner is gone are stopped and removed here. Directories of a live owner are left alone.
reap_orphans() {
  local old pid
  for old in "${TMPDIR:-/tmp}"/waku-pg.*; do
    [ -f "$old/owner.pid" ] || continue
    pid=$(cat "$old/owner.pid" 2>/dev/null || true)
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    kill -0 "$pid" 2>/dev/null && continue
    echo "with-postgres: removing $old, left by a run that was killed (pid $pid)" >&2
    if [ -f "$old/data/postmaster.pid" ]; then
      (cd "$old" && "${as_server[@]}" "$bin/pg_ctl" -D "$old/data" -m immediate -w stop \
        >/dev/null 2>&1) || true
    fi
    rm -rf "$old"
  done
}
reap_orphans

dir=$(mktemp -d "${TMPDIR:-/tmp}/waku-pg.XXXXXX")
echo $$ >"$dir/owner.pid"
chmod 0755 "$dir"
[ ${#as_server[@]} -gt 0 ] && chown "$server_user" "$dir"
data=$dir/data
log=$dir/server.log
started=0

cleanup() {
  local status=$?
  if [ "$started" -eq 1 ]; then
    (cd "$dir" && "${as_server[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1) ||
      true
  fi
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

printf 'waku\n' >"$dir/pwfile"
chmod 0644 "$dir/pwfile"
# Local (socket) connections trust, so that only this directory's owner can reach them; TCP needs
# the password, which exercises the driver's URL handling the way a real deployment does.
(cd "$dir" && "${as_server[@]}" "$bin/initdb" -D "$data" -U waku --pwfile="$dir/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1) || {
  cat "$dir/initdb.log" >&2
  exit 1
}
rm -f "$dir/pwfile"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  port_in_use "$candidate" && continue
  # Another process may take the port between the check and the bind: then start fails and we
  # try the next candidate.
  if (cd "$dir" && "${as_server[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$dir" \
    start >/dev/null 2>&1); then
    port=$candidate
    started=1
    break
  fi
done
if [ -z "$port" ]; then
  echo "with-postgres: could not start PostgreSQL; server log:" >&2
  cat "$log" >&2 2>/dev/null || true
  exit 1
fi

(cd "$dir" && "${as_server[@]}" "$bin/createdb" -h "$dir" -p "$port" -U waku waku_test)

export WAKU_TEST_POSTGRES_URL="postgres://waku:waku@127.0.0.1:${port}/waku_test"
set +e
"$@"
status=$?
set -e
exit "$status"
