/** Money is an integer amount in minor units with its ISO 4217 currency; never a float. */
export type Money = Readonly<{ amount: number; currency: string }>;

export const MAX_AMOUNT = 100_000_000_00; // one hundred million in major units: nothing handmade costs more

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_AMOUNT) {
    throw new RangeError(`money amount must be a whole number of minor units in 0..${MAX_AMOUNT}`);
  }
  return { amount, currency };
}
