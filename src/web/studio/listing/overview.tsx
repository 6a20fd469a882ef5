import type { FastifyInstance } from 'fastify';
import type { Product, Shop } from '../../../modules/catalog/index.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage, whoOf } from '../../back-office/guard.tsx';
import { formatDate } from '../../format.ts';
import { queryField } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { shopStatusWords, statusClass } from './common.tsx';
import { allProducts, isLow, stockOf } from './data.ts';

const NOTICES: Readonly<Record<string, string>> = {
  opened: 'Your shop is set up. Add your first product next.',
};

type Counts = Readonly<{
  products: number;
  published: number;
  drafts: number;
  held: number;
  low: number;
  /** Low stock was looked for in the newest MAX_LISTED published products only: there may be more. */
  lowPartial: boolean;
}>;

/** The catalog counts the products (however many); low stock needs the published ones' variants, so those are read. */
async function countsOf(deps: BackOfficeDeps, shop: Shop, accountId: string): Promise<Counts> {
  const [{ published: live, draft, held }, published] = await Promise.all([
    deps.catalog.service.productCounts(shop.id),
    allProducts(deps, accountId, { status: 'published' }),
  ]);
  const stock = await stockOf(deps, published);
  return {
    products: live + draft + held,
    published: live,
    held,
    drafts: draft,
    low: published.flatMap((p: Product) => p.variants).filter((v) => isLow(stock.get(v.id))).length,
    lowPartial: live > published.length,
  };
}

function ShopStanding(props: { shop: Shop }) {
  const { shop } = props;
  const words = shopStatusWords(shop);
  return (
    <section aria-labelledby="standing" class="studio-panel">
      <h2 id="standing">Your shop</h2>
      <p>
        {/* Buyers see the shop's page only while it is open. */}
        {shop.status === 'active' ? <a href={`/shops/${shop.slug}`}>{shop.name}</a> : shop.name}:{' '}
        <span class={`status ${statusClass(words)}`}>{words}</span>
        {shop.statusChangedAt ? <span class="hint"> since {formatDate(shop.statusChangedAt)}</span> : null}
      </p>
      {shop.status === 'pending' ? (
        <p>An operator checks every new shop. You can add products now; buyers see them once the shop is approved.</p>
      ) : null}
      {shop.status === 'suspended' ? (
        <p class="notice-bad">
          The operator suspended your shop: {shop.statusReason ?? 'no reason was given'}. Your products are off the storefront until it is
          reinstated.
        </p>
      ) : null}
    </section>
  );
}

function NextSteps(props: { shop: Shop; counts: Counts }) {
  const { shop, counts } = props;
  const steps: Array<{ href: string; text: string }> = [];
  if (counts.products === 0) steps.push({ href: '/studio/products/new', text: 'Add your first product' });
  if (counts.drafts > 0) steps.push({ href: '/studio/products?status=draft', text: `Publish your drafts (${counts.drafts})` });
  if (counts.held > 0)
    steps.push({ href: '/studio/products?status=unpublished', text: `Read why the operator unpublished ${counts.held}` });
  if (counts.low > 0) steps.push({ href: '/studio/stock', text: `Restock what is running low (${counts.low})` });
  if (!shop.logo || !shop.banner) steps.push({ href: '/studio/shop', text: 'Add a logo and a banner' });
  if (steps.length === 0) steps.push({ href: '/studio/products/new', text: 'Add another product' });
  return (
    <section aria-labelledby="next" class="studio-panel">
      <h2 id="next">What to do next</h2>
      <ul>
        {steps.map((s) => (
          <li key={s.href + s.text}>
            <a href={s.href}>{s.text}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Figures(props: { counts: Counts }) {
  const { counts } = props;
  const items: Array<[string, number, boolean?]> = [
    ['Products', counts.products],
    ['Published', counts.published],
    ['Drafts', counts.drafts],
    ['Unpublished by the operator', counts.held],
    ['Variants low on stock', counts.low, counts.lowPartial],
  ];
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">At a glance</h2>
      <dl class="figures">
        {items.map(([label, value, atLeast]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {value}
              {atLeast ? '+' : ''}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function overviewRoutes(deps: BackOfficeDeps) {
  return async (app: FastifyInstance) => {
    app.get(
      '/studio',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const shop = await deps.catalog.service.ownShop(session.account.id);
        if (!shop) return seeOther(reply, '/studio/start');
        const counts = await countsOf(deps, shop, session.account.id);
        return sendPrivatePage(
          request,
          reply,
          <OfficeLayout
            site={deps.site}
            office="studio"
            title="Overview"
            path="/studio"
            who={whoOf(session)}
            notice={NOTICES[queryField(request, 'done')]}
            lead={`${shop.name}: ${shopStatusWords(shop)}`}
          >
            <div class="studio-columns">
              <ShopStanding shop={shop} />
              <NextSteps shop={shop} counts={counts} />
            </div>
            <Figures counts={counts} />
          </OfficeLayout>,
        );
      }),
    );
  };
}
