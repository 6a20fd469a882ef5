/** Money is an integer amount in minor units with its ISO 4217 currency; never a float. */
export type Money = Readonly<{ amount: number; currency: string }>;

export const MAX_AMOUNT = 100_000_000_00; // one hundred million in major units: nothing handmade costs more

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_AMOUNT) {
    throw new RangeError(`money amount must be a whole number of minor units in 0..${MAX_AMOUNT}`);
  }
  return { amount, currency };
}

// Building an Intl.NumberFormat costs more than rendering a whole email or page, so once per currency.
const digitsByCurrency = new Map<string, number>();

/** Digits after the point for a currency (JPY 0, USD 2, BHD 3), from the runtime's ICU data; 2 for an unknown code. */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Minor units as a decimal string, 1234 EUR -> "12.34", 1234 JPY -> "1234": integer arithmetic only, so no float rounds a price. */
export function decimalAmount(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}
