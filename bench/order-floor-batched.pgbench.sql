-- The order floor with every step batched: the work of bench/order-floor.pgbench.sql for :batch
-- orders at a time (`pgbench -D batch=10`), each step one statement or transaction for the whole
-- batch: carts, reservations and orders written together, one payment job and one follow-up job
-- of each kind per batch. That is a design Atelier does not have (it batches only reservations,
-- their commits and reporting's events); its price in a real system is the wait for a batch to
-- fill and one failure touching a whole batch. Runs per second times :batch are the orders per
-- second the database could take if the work of many orders were shared and the application cost
-- nothing. Same tables and simplifications as the per-order script. (At batch=1 this script costs
-- more than that one: its batch-shaped statements are not the cheapest way to write one order.)
-- Stock rows are locked in variant order, so concurrent batches do not deadlock. Order ids are
-- :base * 1000 + 0 .. :batch - 1 (so :batch is at most 1000); a sub-order has its order's id
-- (another table).
\set base random(1, 9000000000000000)
\set customer0 random(1, 100000)
\set variant0 random(0, 199)
\set seller0 random(0, 49)

-- Add to cart, for the whole batch.
insert into f_cart_lines (owner_id, variant_id, quantity)
  select (:customer0 + g * 7919) % 100000 + 1, (:variant0 + g * 37) % 200 + 1, 1 from generate_series(0, :batch - 1) g
  on conflict (owner_id, variant_id) do update set quantity = excluded.quantity;

-- Reserve the batch's stock.
with b as (
  select :base * 1000 + g as order_id, (:variant0 + g * 37) % 200 + 1 as variant_id from generate_series(0, :batch - 1) g
), locked as (
  select variant_id from f_stock where variant_id in (select variant_id from b) order by variant_id for update
), s as (
  update f_stock set reserved = reserved + 1 from b
  where f_stock.variant_id = b.variant_id and f_stock.variant_id in (select variant_id from locked)
    and on_hand - reserved - sold >= 1
  returning b.order_id, f_stock.variant_id
)
insert into f_reservations select order_id, variant_id, 1, 'reserved', now() + interval '15 minutes' from s;

-- The batch's keys, orders, sub-orders, lines and emptied carts, and one payment job for it.
with b as (
  select :base * 1000 + g as order_id, (:customer0 + g * 7919) % 100000 + 1 as customer_id,
    (:variant0 + g * 37) % 200 + 1 as variant_id, (:seller0 + g) % 50 + 1 as seller_id
  from generate_series(0, :batch - 1) g
), k as (
  insert into f_idempotency select customer_id, 'key-' || order_id, 'hash', 202, '{"status":"pending_payment"}' from b
), o as (
  insert into f_orders (id, customer_id, status, total, currency) select order_id, customer_id, 'pending_payment', 2500, 'EUR' from b
), so as (
  insert into f_sub_orders select order_id, order_id, seller_id, 'pending_payment', 2500 from b
), l as (
  insert into f_order_lines select order_id, variant_id, order_id, 1, 2500 from b
), c as (
  delete from f_cart_lines where owner_id in (select customer_id from b)
)
insert into f_jobs (task, payload) values ('collect-payment', jsonb_build_object('base', :base));

-- The payment job of the batch: every order paid, one follow-up job of each kind.
begin;
select f_claim_job('collect-payment');
with o as (
  update f_orders set status = 'paid', version = version + 1
  where id between :base * 1000 and :base * 1000 + :batch - 1 and status = 'pending_payment' returning id
), so as (
  update f_sub_orders set status = 'paid', version = version + 1
  where order_id between :base * 1000 and :base * 1000 + :batch - 1 and status = 'pending_payment' returning id
)
insert into f_jobs (task, payload)
  select t, jsonb_build_object('base', :base) from (values ('commit-stock'), ('send-emails'), ('seller-index')) v(t)
  where exists (select from o);
commit;

-- Commit the batch's reservations.
begin;
select f_claim_job('commit-stock');
with r as (
  update f_reservations set status = 'committed'
  where order_id between :base * 1000 and :base * 1000 + :batch - 1 and status = 'reserved' returning variant_id, quantity
), locked as (
  select variant_id from f_stock where variant_id in (select variant_id from r) order by variant_id for update
)
update f_stock s set reserved = s.reserved - r.quantity, sold = s.sold + r.quantity
from r where s.variant_id = r.variant_id and s.variant_id in (select variant_id from locked);
commit;

-- The batch's emails, logged.
begin;
select f_claim_job('send-emails');
insert into f_notifications_sent
  select kind || ':' || (:base * 1000 + g), kind, 'someone@example.test'
  from generate_series(0, :batch - 1) g, (values ('order-confirmation'), ('seller-new-order')) v(kind)
  on conflict do nothing;
commit;

-- The batch's seller index rows and sales counters (one seller per order of a batch).
begin;
select f_claim_job('seller-index');
insert into f_seller_index
  select (:seller0 + g) % 50 + 1, :base * 1000 + g, :base * 1000 + g, 'paid', 2500, now(), 1 from generate_series(0, :batch - 1) g
  on conflict (seller_id, sub_order_id) do update set status = excluded.status, version = excluded.version
  where f_seller_index.version < excluded.version;
insert into f_sales_daily
  select seller_id, current_date, count(*), 2500 * count(*)
  from (select (:seller0 + g) % 50 + 1 as seller_id from generate_series(0, :batch - 1) g) s group by seller_id
  order by seller_id
  on conflict (seller_id, day) do update set orders = f_sales_daily.orders + excluded.orders, revenue = f_sales_daily.revenue + excluded.revenue;
commit;
