import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  IDEMPOTENCY_KEY_RE,
  type RefundInput,
  type RefundView,
  type SellerLineView,
  type SellerSubOrderView,
} from '../../modules/orders/index.ts';
import { isDomainError } from '../../shared/errors.ts';
import { Field, TextField } from '../components/form.tsx';
import { decimalAmount } from '../../shared/money.ts';
import { formatDate, formatMoney, parseMajorUnits } from '../format.ts';
import { errorFor, formField, type FieldError } from '../forms.ts';

/**
 * The refund controls of a sub-order, shared by the studio's order page and the console's: the
 * whole order, an amount, or chosen lines, each its own form that posts (no script needed), and
 * the refunds already made. The module caps every refund at what was paid; the form checks the
 * same first so a typing slip reads as a field error, not a refusal page.
 */

/** What a refund form sent back, shown again with its errors. */
export type RefundFormState = Readonly<{ errors: readonly FieldError[]; values: Readonly<Record<string, string>> }>;

export const NO_ERRORS: RefundFormState = { errors: [], values: {} };

/** A sub-order's line as people name it: "Linen apron (Large / Blue)". */
export function lineName(line: Pick<SellerLineView, 'title' | 'options' | 'sku'>): string {
  const values = Object.values(line.options);
  return `${line.title} (${values.length > 0 ? values.join(' / ') : line.sku})`;
}

/** Field ids of one sub-order's forms; `prefix` keeps them apart when a page shows several. */
export const refundIds = (prefix: string) => ({
  full: `${prefix}refund-full`,
  amount: `${prefix}refund-amount`,
  line: (i: number) => `${prefix}refund-qty-${i}`,
});

const refundable = (sub: SellerSubOrderView) => Math.max(0, sub.total.amount - sub.refunded.amount);
const unitsLeft = (l: SellerLineView) => Math.max(0, l.quantity - l.refundedQuantity);

export function RefundControls(props: { action: string; sub: SellerSubOrderView; prefix?: string; state: RefundFormState }) {
  const { sub, state } = props;
  const prefix = props.prefix ?? '';
  const ids = refundIds(prefix);
  const left = refundable(sub);
  const money = (amount: number) => formatMoney({ amount, currency: sub.total.currency });
  if (left === 0) return <p>Everything paid for this order has been refunded.</p>;
  const fullError = errorFor(state.errors, ids.full);
  return (
    <div class="refund-controls">
      <p>
        Paid {money(sub.total.amount)}, refunded {money(sub.refunded.amount)}: <strong>{money(left)}</strong> can still be refunded.
      </p>
      <form method="post" action={props.action} class="refund-form">
        <input type="hidden" name="mode" value="full" />
        <input type="hidden" name="subOrderId" value={sub.id} />
        {fullError ? (
          <p id={`${ids.full}-error`} class="field-error">
            <span class="visually-hidden">Error: </span>
            {fullError}
          </p>
        ) : null}
        <button type="submit" id={ids.full} class="button secondary" aria-describedby={fullError ? `${ids.full}-error` : undefined}>
          Refund the whole order
        </button>
      </form>
      <form method="post" action={props.action} class="refund-form">
        <input type="hidden" name="mode" value="amount" />
        <input type="hidden" name="subOrderId" value={sub.id} />
        <input type="hidden" name="key" value={randomUUID()} />
        <TextField
          id={ids.amount}
          name="amount"
          label="Amount to refund"
          hint={`In ${sub.total.currency}, at most ${decimalAmount(left, sub.total.currency)}`}
          errors={state.errors}
          value={state.values[ids.amount] ?? ''}
          autocomplete="off"
          class="amount"
        />
        <button type="submit" class="button secondary">
          Refund amount
        </button>
      </form>
      <RefundLinesForm action={props.action} sub={sub} prefix={prefix} state={state} />
    </div>
  );
}

function RefundLinesForm(props: { action: string; sub: SellerSubOrderView; prefix: string; state: RefundFormState }) {
  const ids = refundIds(props.prefix);
  const lines = props.sub.lines.map((l, i) => ({ l, i })).filter(({ l }) => unitsLeft(l) > 0);
  if (lines.length === 0) return null;
  return (
    <form method="post" action={props.action} class="refund-form refund-lines">
      <input type="hidden" name="mode" value="lines" />
      <input type="hidden" name="subOrderId" value={props.sub.id} />
      <input type="hidden" name="key" value={randomUUID()} />
      <fieldset>
        <legend>Refund chosen lines</legend>
        {lines.map(({ l, i }) => {
          const id = ids.line(i);
          return (
            <Field
              key={l.variantId}
              id={id}
              label={`Refund quantity of ${lineName(l)}`}
              hint={`${formatMoney(l.unitPrice)} each, ${unitsLeft(l)} can be refunded`}
              errors={props.state.errors}
              control={(aria) => (
                <input
                  id={id}
                  name={`qty-${i}`}
                  type="number"
                  min={0}
                  max={unitsLeft(l)}
                  step={1}
                  inputMode="numeric"
                  value={props.state.values[id] ?? '0'}
                  {...aria}
                />
              )}
            />
          );
        })}
      </fieldset>
      <button type="submit" class="button secondary">
        Refund lines
      </button>
    </form>
  );
}

/** The refunds made so far, newest last, with what each covered. */
export function RefundsMade(props: { sub: SellerSubOrderView; caption?: string }) {
  if (props.sub.refunds.length === 0) return <p>No refunds yet.</p>;
  const names = new Map(props.sub.lines.map((l) => [l.variantId, lineName(l)]));
  return (
    <table class="records refunds">
      <caption class="visually-hidden">{props.caption ?? 'Refunds made'}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col" class="num">
            Amount
          </th>
          <th scope="col">What</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {props.sub.refunds.map((r) => (
          <tr key={r.id}>
            <td>{formatDate(r.createdAt)}</td>
            <td class="num">{formatMoney(r.amount)}</td>
            <td>{refundWhat(r, names)}</td>
            <td>
              <span class={`status ${r.status === 'succeeded' ? 'ok' : r.status === 'failed' ? 'bad' : 'warn'}`}>
                {REFUND_STATUS[r.status] ?? r.status}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const REFUND_STATUS: Readonly<Record<string, string>> = { succeeded: 'Refunded', pending: 'Pending', failed: 'Declined' };

function refundWhat(r: RefundView, names: ReadonlyMap<string, string>): string {
  if (r.lines.length === 0) return r.reason ? `An amount (${r.reason})` : 'An amount';
  return r.lines.map((l) => `${l.quantity} × ${names.get(l.variantId) ?? l.variantId}`).join(', ');
}

/** A refund form's post read and checked: the module's input, or the fields at fault. */
export type RefundRequest =
  Readonly<{ ok: true; input: RefundInput; values: Record<string, string> }> | Readonly<{ ok: false; state: RefundFormState }>;

export function readRefundForm(request: FastifyRequest, sub: SellerSubOrderView, prefix = ''): RefundRequest {
  const ids = refundIds(prefix);
  const sent = formField(request, 'key');
  const idempotencyKey = IDEMPOTENCY_KEY_RE.test(sent) ? sent : randomUUID();
  const mode = formField(request, 'mode');
  if (mode === 'amount') return readAmount(formField(request, 'amount'), sub, ids.amount, idempotencyKey);
  if (mode === 'lines') return readLines(request, sub, prefix, idempotencyKey);
  // An empty input refunds everything left, so only the whole-order form's own word may ask for it:
  // a post that lost its mode, or carries another, refunds nothing.
  if (mode === 'full') return { ok: true, input: {}, values: {} };
  return fail(ids.full, 'Choose how to refund: the whole order, an amount or chosen lines', {});
}

const fail = (field: string, message: string, values: Record<string, string>): RefundRequest => ({
  ok: false,
  state: { errors: [{ field, message }], values },
});

function readAmount(text: string, sub: SellerSubOrderView, field: string, idempotencyKey: string): RefundRequest {
  const values = { [field]: text };
  const currency = sub.total.currency;
  // Read on the digits, never through a float: "19.99" is 1999 exactly; "1e3", "12.345" (in USD) are not money.
  const amount = parseMajorUnits(text, currency);
  if (text.trim() === '') return fail(field, 'Enter the amount to refund, such as 12.50', values);
  if (amount === null) return fail(field, `Enter the amount as a number of ${currency}, such as 12.50`, values);
  if (amount <= 0) return fail(field, 'Enter an amount more than 0', values);
  if (amount > refundable(sub))
    return fail(field, `Enter at most ${decimalAmount(refundable(sub), currency)}: that is what is left of what was paid`, values);
  return { ok: true, input: { amount, idempotencyKey }, values };
}

function readLines(request: FastifyRequest, sub: SellerSubOrderView, prefix: string, idempotencyKey: string): RefundRequest {
  const ids = refundIds(prefix);
  const values: Record<string, string> = {};
  const chosen: Array<{ variantId: string; quantity: number }> = [];
  for (const [i, line] of sub.lines.entries()) {
    const text = formField(request, `qty-${i}`).trim();
    values[ids.line(i)] = text;
    if (text === '' || text === '0') continue;
    if (!/^\d{1,6}$/.test(text)) return fail(ids.line(i), 'Enter a whole number of units, such as 1', values);
    const quantity = Number(text);
    if (quantity > unitsLeft(line))
      return fail(ids.line(i), `Enter at most ${unitsLeft(line)}: that is how many are left to refund`, values);
    if (quantity > 0) chosen.push({ variantId: line.variantId, quantity });
  }
  if (chosen.length === 0) {
    const first = sub.lines.findIndex((l) => unitsLeft(l) > 0);
    return fail(ids.line(Math.max(0, first)), 'Enter how many units of at least one line to refund', values);
  }
  return { ok: true, input: { lines: chosen, idempotencyKey }, values };
}

/**
 * A module's refusal of a refund as the field it concerns (another tab refunded first, the
 * provider declined), or null when it is not about the form (then the page's error handler shows it).
 */
export function refundRefusal(err: unknown, request: FastifyRequest, sub: SellerSubOrderView, prefix = ''): RefundFormState | null {
  if (!isDomainError(err)) return null;
  const ids = refundIds(prefix);
  const mode = formField(request, 'mode');
  const field = mode === 'amount' ? ids.amount : mode === 'lines' ? ids.line(firstChosen(request, sub)) : ids.full;
  const known = [
    'ORDERS_REFUND_EXCEEDS_PAID',
    'ORDERS_REFUND_QUANTITY_EXCEEDED',
    'ORDERS_NOTHING_TO_REFUND',
    'ORDERS_REFUND_DECLINED',
    'ORDERS_IDEMPOTENCY_KEY_REUSED',
  ];
  if (!known.includes(err.code)) return null;
  const message = err.code === 'ORDERS_REFUND_EXCEEDS_PAID' ? 'That is more than is left to refund of what was paid' : err.message;
  return { errors: [{ field, message }], values: {} };
}

/** The first line the form asked to refund units of (where a refusal of the lines is shown). */
function firstChosen(request: FastifyRequest, sub: SellerSubOrderView): number {
  const i = sub.lines.findIndex((_l, n) => !['', '0'].includes(formField(request, `qty-${n}`).trim()));
  return Math.max(0, i);
}
