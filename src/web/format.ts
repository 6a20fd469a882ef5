/** Money and dates as shoppers read them. Amounts are integer minor units (shared/money.ts). */
import { minorDigits } from '../shared/money.ts';

const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Readonly<{ amount: number; currency: string }>): string {
  let f = formats.get(money.currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency: money.currency });
    formats.set(money.currency, f);
  }
  return f.format(money.amount / 10 ** minorDigits(money.currency));
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatDate(iso: string): string {
  return `${dateFormat.format(new Date(iso))} UTC`;
}

/**
 * A price a shopper typed in major units ("12", "12.5", "12.50") as integer minor units, or null
 * when it is not such a number. Done on the digits, not with floats (12.10 * 100 is 1209.999…).
 */
export function parseMajorUnits(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const m = /^(\d{1,12})(?:[.,](\d+))?$/.exec(text.trim());
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Minor units as the major-unit text a price field shows ("12.50"; "12" when whole). */
export function toMajorUnits(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const whole = Math.floor(amount / 10 ** digits);
  const fraction = amount % 10 ** digits;
  return fraction === 0 ? String(whole) : `${whole}.${String(fraction).padStart(digits, '0')}`;
}
