#!/bin/sh
# First start of the compose file's PostgreSQL primary (docker-entrypoint-initdb.d): the two shard
# databases beside the catalog (POSTGRES_DB), and a replication role the replica connects as.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create database atelier_shard0 owner $POSTGRES_USER;
create database atelier_shard1 owner $POSTGRES_USER;
create role replicator with replication login password '$REPLICATION_PASSWORD';
SQL
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
