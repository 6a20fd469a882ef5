-- The tables of the order floor (bench/order-floor.pgbench.sql), in pgbench's scratch database.
-- Dropped and made again before every measurement, so a run starts from empty tables.
-- Columns and indexes are the few the floor's statements need: fewer indexes than Atelier's own
-- tables, so each write costs the server less than Atelier's does (the floor is a lower bound).
drop table if exists f_stock, f_reservations, f_cart_lines, f_idempotency, f_orders, f_sub_orders,
  f_order_lines, f_jobs, f_notifications_sent, f_seller_index, f_sales_daily;

create table f_stock (
  variant_id int primary key,
  on_hand int not null,
  reserved int not null default 0,
  sold int not null default 0,
  check (reserved + sold <= on_hand)
);
-- 200 variants, as the spread scenario; stock that never runs out.
insert into f_stock (variant_id, on_hand) select g, 1000000000 from generate_series(1, 200) g;

create table f_reservations (
  order_id bigint,
  variant_id int,
  quantity int not null,
  status text not null,
  expires_at timestamptz not null,
  primary key (order_id, variant_id)
);
-- What the sweeper looks for.
create index on f_reservations (expires_at) where status = 'reserved';

create table f_cart_lines (
  owner_id int,
  variant_id int,
  quantity int not null,
  added_at timestamptz not null default now(),
  primary key (owner_id, variant_id)
);

create table f_idempotency (
  customer_id int,
  key text,
  request_hash text not null,
  status_code int not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (customer_id, key)
);

create table f_orders (
  id bigint primary key,
  customer_id int not null,
  status text not null,
  total bigint not null,
  currency text not null,
  created_at timestamptz not null default now(),
  version int not null default 0
);
-- A customer's order list (keyset pagination).
create index on f_orders (customer_id, created_at desc, id);

create table f_sub_orders (
  id bigint primary key,
  order_id bigint not null,
  seller_id int not null,
  status text not null,
  total bigint not null,
  version int not null default 0
);
create index on f_sub_orders (order_id);

create table f_order_lines (
  order_id bigint,
  variant_id int,
  sub_order_id bigint not null,
  quantity int not null,
  unit_price bigint not null,
  primary key (order_id, variant_id)
);

-- The job queue, reduced to a table: a job is claimed and deleted in the transaction of its work.
create table f_jobs (
  id bigserial primary key,
  task text not null,
  payload jsonb not null,
  run_at timestamptz not null default now()
);
create index on f_jobs (task, run_at, id);

-- Claims the oldest due job of a task: deleted in the caller's transaction, so it is done once
-- that commits and back in the queue if it rolls back. Due by the clock at each try: now() is the
-- start of the caller's transaction, and a job another client enqueued after that (whose worker
-- then claimed an older one, maybe this client's) would never be due for it. Tried again (a new
-- statement, so a new snapshot) when it finds none: such a job may also be newer than the first
-- try's snapshot, and every job that snapshot sees may be locked by other workers.
create or replace function f_claim_job(p_task text) returns jsonb language plpgsql as $$
declare
  claimed jsonb;
begin
  for attempt in 1..5 loop
    delete from f_jobs where id = (
      select id from f_jobs where task = p_task and run_at <= clock_timestamp() order by run_at, id limit 1 for update skip locked
    ) returning payload into claimed;
    if found then
      return claimed;
    end if;
  end loop;
  return null;
end
$$;

create table f_notifications_sent (
  message_key text primary key,
  kind text not null,
  recipient text not null,
  sent_at timestamptz not null default now()
);

create table f_seller_index (
  seller_id int,
  sub_order_id bigint,
  order_id bigint not null,
  status text not null,
  total bigint not null,
  placed_at timestamptz not null,
  version int not null,
  primary key (seller_id, sub_order_id)
);

create table f_sales_daily (
  seller_id int,
  day date,
  orders int not null,
  revenue bigint not null,
  primary key (seller_id, day)
);

analyze;
