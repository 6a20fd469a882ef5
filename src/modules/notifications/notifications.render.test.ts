import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderEmail } from './notifications.render.ts';
import { checkEmail } from './notifications.service.ts';
import type { OrderEmail } from './notifications.types.ts';

const FROM = 'Atelier <orders@atelier.test>';
const shipped: OrderEmail = {
  messageKey: 'order-shipped:test',
  to: 'bea@example.test',
  kind: 'order-shipped',
  orderId: '01900000-0000-7000-8000-0000deadbeef',
  customerName: 'Bea',
  shopName: 'Ada <Ceramics>',
  lines: [{ title: 'Mug', quantity: 2, unitPrice: 1250 }],
  total: 2500,
  currency: 'EUR',
  shipment: { carrier: 'UPS', trackingNumber: '1Z 9', trackingUrl: 'https://www.ups.com/track?tracknum=1Z%209&x="y"' },
};

test('a shipped email names the carrier, the tracking number and the link, in text and in escaped HTML', () => {
  const m = renderEmail(shipped, FROM);
  assert.equal(m.subject, 'Your Atelier order DEADBEEF has shipped');
  assert.match(m.text, /^Carrier: UPS$/m);
  assert.match(m.text, /^Tracking number: 1Z 9$/m);
  assert.ok(m.text.includes('Track your parcel: https://www.ups.com/track?tracknum=1Z%209&x="y"'));
  assert.ok(m.html.includes('<a href="https://www.ups.com/track?tracknum=1Z%209&amp;x=&quot;y&quot;">Track your parcel</a>'), m.html);
  assert.ok(m.html.includes('Ada &lt;Ceramics&gt;') && !m.html.includes('<Ceramics>'));
});

test('a refund email says the amount refunded as money, not minor units', () => {
  const m = renderEmail({ ...shipped, kind: 'order-refunded', total: 800, lines: [], shipment: undefined } as OrderEmail, FROM);
  assert.equal(m.subject, 'Your Atelier order DEADBEEF: 8.00 EUR refunded');
  assert.match(m.text, /We refunded 8\.00 EUR from Ada <Ceramics> to your payment method\./);
  assert.match(m.text, /^Refunded: 8\.00 EUR$/m);
});

test('a tracking link must be http(s): anything else is refused before a job is queued', () => {
  assert.throws(
    () => checkEmail({ ...shipped, shipment: { ...shipped.shipment!, trackingUrl: 'javascript:alert(1)' } }),
    (err: { code?: string }) => err.code === 'NOTIFICATIONS_INVALID_EMAIL',
  );
  assert.doesNotThrow(() => checkEmail({ ...shipped, shipment: { carrier: 'Courier', trackingNumber: null, trackingUrl: null } }));
});
