import { Type } from '@sinclair/typebox';

export { ErrorResponseSchema as ErrorResponse } from '../../platform/http/schemas.ts';

const Id = Type.String({ format: 'uuid', maxLength: 36 });
const Day = Type.String({ format: 'date', maxLength: 10, description: 'A UTC calendar day, YYYY-MM-DD' });
const Instant = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });
const MoneySchema = Type.Object(
  { amount: Type.Integer(), currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }) },
  { additionalProperties: false },
);
const obj = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });

export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

export const RangeQuery = obj({
  from: Type.Optional({ ...Day, description: `First day (inclusive); defaults to ${DEFAULT_RANGE_DAYS - 1} days before \`to\`` }),
  to: Type.Optional({ ...Day, description: 'Last day (inclusive); defaults to today (UTC)' }),
});

export const PlatformQuery = obj({
  from: RangeQuery.properties.from,
  to: RangeQuery.properties.to,
  minutes: Type.Integer({ minimum: 1, maximum: 1440, default: 60, description: 'How many recent minutes ordersPerMinute covers' }),
});

export const SellerSummaryResponse = obj({
  summary: obj({
    from: Day,
    to: Day,
    days: Type.Array(obj({ day: Day, orders: Count, revenue: MoneySchema }), { description: 'Days with paid orders, oldest first' }),
    totals: Type.Array(obj({ orders: Count, revenue: MoneySchema }), { description: 'One per currency' }),
    topProducts: Type.Array(obj({ productId: Id, title: Type.Union([Type.String(), Type.Null()]), units: Count, revenue: MoneySchema }), {
      description: 'Best sellers by revenue over the range',
    }),
    stockAlerts: Type.Array(
      obj({
        variantId: Id,
        productId: Id,
        title: Type.Union([Type.String(), Type.Null()]),
        sku: Type.String(),
        available: Type.Integer(),
        threshold: Count,
        raisedAt: Instant,
      }),
      { description: 'Variants that ran low during the range (the latest alert of each), newest first' },
    ),
  }),
});

export const PlatformResponse = obj({
  platform: obj({
    ordersPerMinute: obj({
      from: Instant,
      to: Instant,
      minutes: Type.Array(obj({ minute: Instant, orders: Count }), { description: 'Paid orders per minute, the current minute last' }),
    }),
    from: Day,
    to: Day,
    grossSales: Type.Array(obj({ orders: Count, gross: MoneySchema }), { description: 'Paid order totals over the range, per currency' }),
    conversion: obj({
      cartsStarted: Count,
      cartsConverted: Count,
      rate: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'converted / started; null when no cart started' }),
    }),
  }),
});

const ExportSchema = obj({
  id: Id,
  kind: Type.Literal('orders'),
  status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('ready'), Type.Literal('failed')]),
  rowCount: Type.Union([Count, Type.Null()]),
  bytes: Type.Union([Count, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
  finishedAt: Type.Union([Instant, Type.Null()]),
  downloadUrl: Type.Union([Type.String(), Type.Null()]),
});

export const ExportAccepted = obj({ export: ExportSchema, statusUrl: Type.String() });
export const ExportResponse = obj({ export: ExportSchema });
export const ExportParams = obj({ id: Id });
