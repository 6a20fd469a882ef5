/**
 * Events the cart publishes, inside the transaction of the change, for reporting's cart-to-order
 * conversion. Deliberately cheap: one event when a cart gets its first line (not on every quantity
 * change), and one when a guest's cart is merged into an account's at sign-in.
 */
export const CART_EVENTS = { started: 'cart.started' } as const;

/**
 * `cart.started`. A cart starts when a line goes into an empty cart (`mergedGuestId` null). A merge
 * of a guest's cart into an account's is published with `mergedGuestId` set: it continues the
 * guest's cart as the account's, so the two are one shopping session; `intoOpenCart` says whether
 * the account's cart already had lines (then the guest's cart joined an account cart already counted).
 */
export type CartStartedPayload = {
  ownerId: string;
  ownerKind: 'account' | 'guest';
  mergedGuestId: string | null;
  intoOpenCart: boolean;
};
