#!/bin/sh
# The compose file's streaming replica: on its first start, a base backup of the primary
# (pg_basebackup -R writes standby.signal and primary_conninfo), then PostgreSQL in recovery,
# replaying the primary's WAL for as long as it runs.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres -U "$POSTGRES_USER"; do sleep 1; done
  PGPASSWORD=$REPLICATION_PASSWORD pg_basebackup -h postgres -U replicator -D "$PGDATA" -R -X stream -C -S replica1
  chmod 700 "$PGDATA"
fi
exec postgres
