-- The official image creates POSTGRES_DB (the catalog); the shard databases are made here.
create database atelier_shard0 owner atelier;
create database atelier_shard1 owner atelier;
