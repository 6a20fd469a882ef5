-- The order floor: the database work one order of the spread scenario needs under the
-- checkout of docs/checkout.md, as plain SQL that pgbench runs with no Atelier code, no HTTP and no payment provider.
-- One run of this script is one order: added to a cart, checked out, paid, its stock committed,
-- its emails logged, its seller's index and sales counter updated. Its transactions per second
-- are the orders per second the database could take if the application cost nothing.
--
-- Every simplification makes the floor cheaper than Atelier can be, so it is a lower bound on
-- the database's work and an upper bound on orders per second:
-- - one database, where Atelier has the catalog store and the customer's shard (two connections
--   and two commits for a checkout);
-- - jobs in a plain table, each claimed and deleted (f_claim_job) in the transaction of its work,
--   where graphile-worker's add_jobs, fetch and completion are functions and statements of their own;
-- - one line and one sub-order per order, as the bench's trips; no session lookup, no read of
--   prices or stock (Atelier serves those from memory most of the time), no read of the order by
--   the payment job (its payload would carry it), no payment attempt row, no event log row, no
--   webhook, no processed-event mark for the sales counter.
-- What it does not model: work shared by several orders. Atelier group-commits reservations and
-- their commits, and applies reporting's events a window at a time; this floor gives each order
-- its own statements there. So it is the floor of one order at a time through docs/checkout.md's steps;
-- bench/order-floor-batched.pgbench.sql is the same work with every step shared by a batch.
\set variant random(1, 200)
\set customer random(1, 100000)
\set seller random(1, 50)
\set order_id random(1, 4000000000000000000)

-- Add to cart (the customer's shard).
insert into f_cart_lines (owner_id, variant_id, quantity) values (:customer, :variant, 1)
  on conflict (owner_id, variant_id) do update set quantity = excluded.quantity;

-- Checkout, 1: reserve the stock, keyed by the order id (the catalog store).
with s as (
  update f_stock set reserved = reserved + 1
  where variant_id = :variant and on_hand - reserved - sold >= 1
  returning variant_id
)
insert into f_reservations select :order_id, variant_id, 1, 'reserved', now() + interval '15 minutes' from s;

-- Checkout, 2: the idempotency key with its answer, the order, its sub-order and line, the emptied
-- cart and the payment job, in one statement (the customer's shard).
with k as (
  insert into f_idempotency values (:customer, 'key-' || :order_id, 'hash', 202, '{"status":"pending_payment"}')
), o as (
  insert into f_orders (id, customer_id, status, total, currency) values (:order_id, :customer, 'pending_payment', 2500, 'EUR')
), so as (
  insert into f_sub_orders values (:order_id + 1, :order_id, :seller, 'pending_payment', 2500)
), l as (
  insert into f_order_lines values (:order_id, :variant, :order_id + 1, 1, 2500)
), c as (
  delete from f_cart_lines where owner_id = :customer
)
insert into f_jobs (task, payload) values ('collect-payment', jsonb_build_object('orderId', :order_id));

-- The payment job: paid, and the follow-up jobs enqueued in the same transaction.
begin;
select f_claim_job('collect-payment');
with o as (
  update f_orders set status = 'paid', version = version + 1 where id = :order_id and status = 'pending_payment' returning id
), so as (
  update f_sub_orders set status = 'paid', version = version + 1 where order_id = :order_id and status = 'pending_payment' returning id
)
insert into f_jobs (task, payload)
  select t, jsonb_build_object('orderId', :order_id) from (values ('commit-stock'), ('send-emails'), ('seller-index')) v(t)
  where exists (select from o);
commit;

-- Commit the reservation (the catalog store).
begin;
select f_claim_job('commit-stock');
with r as (
  update f_reservations set status = 'committed' where order_id = :order_id and status = 'reserved' returning variant_id, quantity
)
update f_stock s set reserved = s.reserved - r.quantity, sold = s.sold + r.quantity from r where s.variant_id = r.variant_id;
commit;

-- The customer's confirmation and the seller's email, logged once per message key (not sent here).
begin;
select f_claim_job('send-emails');
insert into f_notifications_sent values
  ('order-confirmation:' || :order_id, 'order-confirmation', 'customer@example.test'),
  ('seller-new-order:' || :order_id, 'seller-new-order', 'seller@example.test')
  on conflict do nothing;
commit;

-- The seller's order index and sales counter.
begin;
select f_claim_job('seller-index');
insert into f_seller_index values (:seller, :order_id + 1, :order_id, 'paid', 2500, now(), 1)
  on conflict (seller_id, sub_order_id) do update set status = excluded.status, version = excluded.version
  where f_seller_index.version < excluded.version;
insert into f_sales_daily values (:seller, current_date, 1, 2500)
  on conflict (seller_id, day) do update set orders = f_sales_daily.orders + 1, revenue = f_sales_daily.revenue + excluded.revenue;
commit;
