import { orderReference } from '../../shared/ids.ts';
import { decimalAmount } from '../../shared/money.ts';
import type { AccountEmail, Email, OrderEmail, RenderedEmail } from './notifications.types.ts';

/** Minor units to "12.50 USD": integer arithmetic only, so no float ever rounds a price. */
export function formatMoney(amount: number, currency: string): string {
  return `${decimalAmount(amount, currency)} ${currency}`;
}

/** The file name of a message in the outbox, and the inverse: reversible, and never a path. */
export function outboxFileName(messageKey: string): string {
  return `${encodeURIComponent(messageKey)}.eml`;
}

export function messageKeyOfFile(fileName: string): string | null {
  if (!fileName.endsWith('.eml') || fileName.startsWith('.')) return null;
  try {
    return decodeURIComponent(fileName.slice(0, -4));
  } catch {
    return null;
  }
}

/** A Message-ID derived from the message key, so a resent message is recognisably the same one. */
export function messageIdFor(messageKey: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'atelier.invalid';
  return `<${messageKey.replace(/[^A-Za-z0-9._-]/g, '.')}@${domain}>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Short order reference people can read out on the phone: the random tail of the id. */

function wording(email: OrderEmail): { subject: string; intro: string; totalLabel: string } {
  const ref = orderReference(email.orderId);
  const from = email.shopName ? ` from ${email.shopName}` : '';
  switch (email.kind) {
    case 'order-confirmation':
      return {
        subject: `Your Atelier order ${ref} is confirmed`,
        intro: 'Thank you for your order. Your payment went through and the makers have been told.',
        totalLabel: 'Total',
      };
    case 'seller-new-order':
      return {
        subject: `New order ${ref}`,
        intro: `You have a new paid order from ${email.customerName}. Please prepare these items:`,
        totalLabel: 'Total',
      };
    case 'order-refunded':
      return {
        subject: `Your Atelier order ${ref}: ${formatMoney(email.total, email.currency)} refunded`,
        intro: `We refunded ${formatMoney(email.total, email.currency)}${from} to your payment method.${email.lines.length > 0 ? ' The refund covers:' : ''}`,
        totalLabel: 'Refunded',
      };
    case 'order-cancelled':
      return {
        subject: `Your Atelier order ${ref} was cancelled`,
        intro: 'Your order was cancelled; you have not been charged for:',
        totalLabel: 'Total',
      };
    case 'payment-failed':
      return {
        subject: `Payment for Atelier order ${ref} failed`,
        intro: 'We could not take the payment for your order, so it was not placed:',
        totalLabel: 'Total',
      };
    case 'order-shipped':
      return { subject: `Your Atelier order ${ref} has shipped`, intro: `Your parcel${from} is on its way with:`, totalLabel: 'Total' };
    case 'order-delivered':
      return { subject: `Your Atelier order ${ref} was delivered`, intro: `Your parcel${from} was delivered with:`, totalLabel: 'Total' };
  }
}

/** The shipment's lines (carrier, tracking number, link), in text and in HTML; none without a shipment. */
function shipmentLines(email: OrderEmail): { text: string[]; html: string[] } {
  const s = email.shipment;
  if (!s) return { text: [], html: [] };
  const text = [`Carrier: ${s.carrier}`];
  const html = [`<p>Carrier: ${escapeHtml(s.carrier)}`];
  if (s.trackingNumber) {
    text.push(`Tracking number: ${s.trackingNumber}`);
    html.push(`<br>Tracking number: ${escapeHtml(s.trackingNumber)}`);
  }
  if (s.trackingUrl) {
    text.push(`Track your parcel: ${s.trackingUrl}`);
    html.push(`<br><a href="${escapeHtml(s.trackingUrl)}">Track your parcel</a>`);
  }
  html.push('</p>');
  return { text: [...text, ''], html: [html.join('')] };
}

/**
 * What an account email says. Each one also says what to do when the reader did not ask for it,
 * since anyone can type an address into a sign-up or reset form.
 */
function accountWording(email: AccountEmail): { subject: string; paragraphs: string[]; action: string | null } {
  switch (email.kind) {
    case 'account-verify-email':
      return {
        subject: 'Confirm your email address for Atelier',
        paragraphs: ['Welcome to Atelier. Please confirm that this address is yours by opening the link below.'],
        action: 'If you did not create an Atelier account, ignore this email: nothing happens without the link.',
      };
    case 'account-exists':
      return {
        subject: 'Someone tried to create an Atelier account with your address',
        paragraphs: [
          'Somebody tried to create a new Atelier account with this email address, which already has an account, so no new account was made.',
          'If it was you, sign in with your password, or choose a new one with the link below.',
        ],
        action: 'If it was not you, you need do nothing: your account has not changed.',
      };
    case 'account-password-reset':
      return {
        subject: 'Reset your Atelier password',
        paragraphs: [
          'Somebody asked to reset the password of your Atelier account. Open the link below to choose a new one; it works once, for a short time, and signs out every device.',
        ],
        action: 'If you did not ask for this, ignore this email: your password has not changed.',
      };
    case 'account-password-changed':
      return {
        subject: 'Your Atelier password was changed',
        paragraphs: ['The password of your Atelier account was just changed, and your other sessions were signed out.'],
        action: 'If you did not do this, reset your password at once and contact us.',
      };
  }
}

function renderAccountEmail(email: AccountEmail, from: string): RenderedEmail {
  const { subject, paragraphs, action } = accountWording(email);
  const greeting = email.name ? `Hello ${email.name},` : 'Hello,';
  const { text, html } = letter(
    greeting,
    [...paragraphs.flatMap((p) => [p, '']), ...(email.link ? [email.link, ''] : []), ...(action ? [action, ''] : [])],
    [
      ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
      ...(email.link ? [`<p><a href="${escapeHtml(email.link)}">${escapeHtml(email.link)}</a></p>`] : []),
      ...(action ? [`<p>${escapeHtml(action)}</p>`] : []),
    ],
  );
  return { messageKey: email.messageKey, messageId: messageIdFor(email.messageKey, from), from, to: email.to, subject, text, html };
}

/**
 * Every email's frame around its own lines: the greeting, then the body, then the sign-off in the
 * text part; the greeting and body in a bare HTML document.
 */
function letter(greeting: string, textBody: readonly string[], htmlBody: readonly string[]): { text: string; html: string } {
  return {
    text: [greeting, '', ...textBody, '-- Atelier', ''].join('\n'),
    html: ['<!doctype html><html><body>', `<p>${escapeHtml(greeting)}</p>`, ...htmlBody, '</body></html>'].join('\n'),
  };
}

/** Plain text first (what every client shows), with a simple HTML alternative. */
export function renderEmail(email: Email, from: string): RenderedEmail {
  return 'orderId' in email ? renderOrderEmail(email, from) : renderAccountEmail(email, from);
}

function renderOrderEmail(email: OrderEmail, from: string): RenderedEmail {
  const { subject, intro, totalLabel } = wording(email);
  const shipment = shipmentLines(email);
  const rows = email.lines.map((l) => ({
    title: l.title,
    quantity: l.quantity,
    unit: formatMoney(l.unitPrice, email.currency),
    total: formatMoney(l.unitPrice * l.quantity, email.currency),
  }));
  const total = formatMoney(email.total, email.currency);
  const greeting = email.kind === 'seller-new-order' ? 'Hello,' : `Hello ${email.customerName},`;
  const { text, html } = letter(
    greeting,
    [
      intro,
      '',
      ...shipment.text,
      ...rows.map((r) => `  ${r.quantity} x ${r.title} @ ${r.unit} = ${r.total}`),
      '',
      `${totalLabel}: ${total}`,
      `Order: ${email.orderId}`,
      '',
    ],
    [
      `<p>${escapeHtml(intro)}</p>`,
      ...shipment.html,
      '<table><thead><tr><th align="left">Item</th><th>Qty</th><th align="right">Price</th><th align="right">Total</th></tr></thead><tbody>',
      ...rows.map(
        (r) =>
          `<tr><td>${escapeHtml(r.title)}</td><td align="center">${r.quantity}</td><td align="right">${escapeHtml(r.unit)}</td><td align="right">${escapeHtml(r.total)}</td></tr>`,
      ),
      `</tbody><tfoot><tr><td colspan="3"><strong>${totalLabel}</strong></td><td align="right"><strong>${escapeHtml(total)}</strong></td></tr></tfoot></table>`,
      `<p>Order ${escapeHtml(email.orderId)}</p>`,
    ],
  );
  return { messageKey: email.messageKey, messageId: messageIdFor(email.messageKey, from), from, to: email.to, subject, text, html };
}
