import { decimalAmount } from '../../../shared/money.ts';

/**
 * The console's figures as a person reads them ("2.1 %", "340 ms", "12.50 EUR", "3 min"): shared
 * by the server-rendered pages and the Now island, so both say the same thing.
 */

/** A share 0..1 as a percentage with one decimal ("2.1 %"); `none` when there is nothing to divide. */
export function percent(share: number | null, none = 'no data'): string {
  if (share === null) return none;
  return `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
}

/** Milliseconds: "340 ms" below a second, "1.25 s" above. */
export function millis(ms: number | null, none = 'no requests'): string {
  if (ms === null) return none;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${rate(ms / 1000)} s`;
}

/** A duration in seconds: "0 s", "42 s", "3 min", "2 h 5 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

/** A rate with at most two decimals, no trailing zeros ("0.5", "12", "1.25"). */
export function rate(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Minor units and a currency as "12.50 EUR". */
export function amount(m: Readonly<{ amount: number; currency: string }>): string {
  return `${decimalAmount(m.amount, m.currency)} ${m.currency}`;
}

/** Totals per currency in one line ("12.50 EUR, 3.00 USD"), or `none`. */
export function amounts(list: ReadonlyArray<Readonly<{ amount: number; currency: string }>>, none = 'none'): string {
  return list.length === 0 ? none : list.map(amount).join(', ');
}

// Made once: a formatter is costly to make, and the audit page formats a time per row.
const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** A time as "10:42:05 UTC" (the Now page's clock) or, with the date, "7 Dec 2026, 10:42:05 UTC". */
export function clock(iso: string, withDate = false): string {
  const d = new Date(iso);
  const time = d.toISOString().slice(11, 19);
  if (!withDate) return `${time} UTC`;
  return `${dayFormat.format(d)}, ${time} UTC`;
}

/** How long ago, from a number of seconds: "just now", "12 s ago", "3 min ago". */
export function ago(seconds: number): string {
  return seconds < 1 ? 'just now' : `${duration(seconds)} ago`;
}
