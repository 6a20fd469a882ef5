/** Money and dates as shoppers read them. Amounts are integer minor units (shared/money.ts). */
const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Readonly<{ amount: number; currency: string }>): string {
  let f = formats.get(money.currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency: money.currency });
    formats.set(money.currency, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(money.amount / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export function formatDate(iso: string): string {
  return `${dateFormat.format(new Date(iso))} UTC`;
}
