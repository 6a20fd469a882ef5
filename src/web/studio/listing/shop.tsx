import type { FastifyInstance } from 'fastify';
import { TEXT_LIMITS, type Shop } from '../../../modules/catalog/index.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage, pageActor, whoOf } from '../../back-office/guard.tsx';
import type { SiteContext } from '../../components/document.tsx';
import { TextArea, TextField } from '../../components/form.tsx';
import { Island } from '../../components/island.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { queryField, type FieldError } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import ShopImages from '../../islands/studio-shop-images.tsx';
import { PolicyFields, shopStatusWords } from './common.tsx';
import { checkShopText, readShopForm } from './start.tsx';

type ShopText = Readonly<{ name: string; story: string; shippingPolicy: string; returnsPolicy: string }>;

function ShopPage(props: { site: SiteContext; who: string; shop: Shop; form: ShopText; errors: readonly FieldError[]; notice?: string }) {
  const { shop, form, errors } = props;
  const image = (slot: 'logo' | 'banner') => (shop[slot] ? { url: shop[slot].urls.card, alt: shop[slot].alt } : null);
  return (
    <OfficeLayout
      site={props.site}
      office="studio"
      title="Shop"
      path="/studio/shop"
      who={props.who}
      notice={props.notice}
      lead={
        <>
          {shopStatusWords(shop)} at <a href={`/shops/${shop.slug}`}>/shops/{shop.slug}</a>
        </>
      }
    >
      <ErrorSummary errors={errors} />
      <form method="post" action="/studio/shop" class="stack studio-form" noValidate>
        <TextField id="name" label="Shop name" value={form.name} errors={errors} required maxLength={TEXT_LIMITS.shopName} />
        <TextArea id="story" label="Story" value={form.story} errors={errors} maxLength={TEXT_LIMITS.shopText} rows={6} />
        <PolicyFields form={form} errors={errors} />
        <button type="submit">Save shop</button>
      </form>
      <section aria-labelledby="images-heading">
        <h2 id="images-heading">Logo and banner</h2>
        <Island
          name="studio-shop-images"
          component={ShopImages}
          props={{ shopName: shop.name, logo: image('logo'), banner: image('banner') }}
        />
      </section>
    </OfficeLayout>
  );
}

export function shopRoutes(deps: BackOfficeDeps) {
  const { catalog, site } = deps;
  return async (app: FastifyInstance) => {
    app.get(
      '/studio/shop',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const shop = await catalog.service.ownShop(session.account.id);
        if (!shop) return seeOther(reply, '/studio/start');
        const notice = queryField(request, 'done') === 'saved' ? 'Your shop is saved.' : undefined;
        return sendPrivatePage(
          request,
          reply,
          <ShopPage site={site} who={whoOf(session)} shop={shop} form={shop} errors={[]} notice={notice} />,
        );
      }),
    );

    app.post(
      '/studio/shop',
      { schema: { hide: true } },
      officePage(deps, 'studio', async (session, request, reply) => {
        const shop = await catalog.service.ownShop(session.account.id);
        if (!shop) return seeOther(reply, '/studio/start');
        const { name, story, shippingPolicy, returnsPolicy } = readShopForm(request);
        const form = { name, story, shippingPolicy, returnsPolicy };
        const errors = checkShopText(form);
        if (errors.length > 0) {
          const page = <ShopPage site={site} who={whoOf(session)} shop={shop} form={form} errors={errors} />;
          return sendPrivatePage(request, reply, page, 400);
        }
        await catalog.service.updateShop(pageActor(session, request), shop.slug, form);
        return seeOther(reply, '/studio/shop?done=saved');
      }),
    );
  };
}
