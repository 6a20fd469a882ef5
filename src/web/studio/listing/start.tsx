import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SLUG_RULE, TEXT_LIMITS } from '../../../modules/catalog/index.ts';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import { signedInOrRedirect } from '../../account/account-routes.tsx';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextArea, TextField } from '../../components/form.tsx';
import { ErrorSummary, Layout, PageHeading } from '../../components/layout.tsx';
import { formField, type FieldError } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { sendProblem } from '../../storefront/errors.tsx';
import { checkText, PolicyFields } from './common.tsx';
import { pageActor } from '../../back-office/guard.tsx';

// A JSON Schema pattern, read as a Unicode regular expression like the API's validator reads it.
const SLUG = new RegExp(SLUG_RULE.pattern, 'u');
const FIELDS = ['name', 'slug', 'story', 'shippingPolicy', 'returnsPolicy'] as const;
type ShopForm = Record<(typeof FIELDS)[number], string>;
const EMPTY: ShopForm = { name: '', slug: '', story: '', shippingPolicy: '', returnsPolicy: '' };

export function readShopForm(request: FastifyRequest): ShopForm {
  return Object.fromEntries(FIELDS.map((f) => [f, formField(request, f)])) as ShopForm;
}

/** The shop text fields' checks, as the API's schema has them (so the module never sees what it would refuse). */
export function checkShopText(form: Omit<ShopForm, 'slug'>): FieldError[] {
  const errors: FieldError[] = [];
  checkText(errors, 'name', form.name, { label: 'Shop name', required: true, max: TEXT_LIMITS.shopName });
  checkText(errors, 'story', form.story, { label: 'Story', max: TEXT_LIMITS.shopText });
  checkText(errors, 'shippingPolicy', form.shippingPolicy, { label: 'Shipping policy', max: TEXT_LIMITS.shopText });
  checkText(errors, 'returnsPolicy', form.returnsPolicy, { label: 'Returns policy', max: TEXT_LIMITS.shopText });
  return errors;
}

function checkShopForm(form: ShopForm): FieldError[] {
  const errors = checkShopText(form);
  const slugError =
    form.slug.length === 0
      ? 'Enter the web address of your shop'
      : form.slug.length > SLUG_RULE.maxLength || !SLUG.test(form.slug)
        ? `Use lower-case letters, digits and hyphens for the web address (at most ${SLUG_RULE.maxLength}, no hyphen first or last)`
        : null;
  if (slugError) errors.splice(1, 0, { field: 'slug', message: slugError });
  return errors;
}

/** The onboarding form: one form makes the account a seller and opens the shop. */
function StartPage(props: { site: SiteContext; form: ShopForm; errors: readonly FieldError[] }) {
  const { form, errors } = props;
  return (
    <Layout site={props.site} meta={{ title: 'Open your shop', description: 'Sell on Atelier', path: '/studio/start', noindex: true }}>
      <PageHeading title="Open your shop" lead="Tell buyers who you are and how you ship. You can change all of it later." />
      <ErrorSummary errors={errors} />
      <form method="post" action="/studio/start" class="stack studio-form" noValidate>
        <TextField
          id="name"
          label="Shop name"
          value={form.name}
          errors={errors}
          required
          maxLength={TEXT_LIMITS.shopName}
          autocomplete="organization"
        />
        <TextField
          id="slug"
          label="Web address"
          value={form.slug}
          errors={errors}
          required
          maxLength={SLUG_RULE.maxLength}
          spellcheck={false}
          hint={`Your shop's address: ${props.site.publicUrl}/shops/your-address. Lower-case letters, digits and hyphens.`}
        />
        <TextArea
          id="story"
          label="Story"
          value={form.story}
          errors={errors}
          hint="Who makes what you sell, and how."
          maxLength={TEXT_LIMITS.shopText}
        />
        <PolicyFields form={form} errors={errors} />
        <p class="hint">You can add a logo and a banner once the shop is open.</p>
        <button type="submit">Open shop</button>
      </form>
    </Layout>
  );
}

/**
 * Who may open a shop here: a signed-in customer, or a seller without a shop yet (one whose first
 * try stopped half-way). A seller with a shop goes to the studio; an operator is refused.
 */
async function mayOpen(deps: BackOfficeDeps, request: FastifyRequest, reply: FastifyReply): Promise<LiveSession | null> {
  const session = await signedInOrRedirect(deps, request, reply);
  if (!session) return null;
  const role = session.account.role;
  if (role === 'admin') {
    await sendProblem(
      deps.site,
      request,
      reply,
      403,
      'The studio is for sellers',
      'Operators run the marketplace from the console at /console.',
    );
    return null;
  }
  if (role === 'seller' && (await deps.catalog.service.ownShop(session.account.id))) {
    await seeOther(reply, '/studio');
    return null;
  }
  return session;
}

/** Makes the account a seller (when it is a customer) and opens the shop; a taken address is the slug's field error. */
async function openShop(deps: BackOfficeDeps, session: LiveSession, request: FastifyRequest, form: ShopForm): Promise<FieldError[]> {
  if (await deps.catalog.service.getShopBySlug(form.slug)) return [{ field: 'slug', message: 'That web address is taken: choose another' }];
  if (session.account.role === 'customer') {
    try {
      await deps.identity.service.becomeSeller(pageActor(session, request));
    } catch (err) {
      // Another tab got there first: the account is a seller already, which is what was asked.
      if (!(isDomainError(err) && err.kind === 'conflict')) throw err;
    }
  }
  const { slug, name, story, shippingPolicy, returnsPolicy } = form;
  try {
    await deps.catalog.service.createShop(
      session.account.id,
      { slug, name, story, shippingPolicy, returnsPolicy },
      pageActor(session, request, 'seller'),
    );
  } catch (err) {
    if (isDomainError(err) && err.code === 'CATALOG_SHOP_SLUG_TAKEN')
      return [{ field: 'slug', message: 'That web address is taken: choose another' }];
    throw err;
  }
  return [];
}

export function startRoutes(deps: BackOfficeDeps) {
  return async (app: FastifyInstance) => {
    app.get('/studio/start', { schema: { hide: true } }, async (request, reply) => {
      const session = await mayOpen(deps, request, reply);
      if (!session) return reply;
      return sendPrivatePage(request, reply, <StartPage site={deps.site} form={EMPTY} errors={[]} />);
    });

    app.post('/studio/start', { schema: { hide: true } }, async (request, reply) => {
      const session = await mayOpen(deps, request, reply);
      if (!session) return reply;
      const form = readShopForm(request);
      const checked = checkShopForm(form);
      const errors = checked.length > 0 ? checked : await openShop(deps, session, request, form);
      if (errors.length > 0) return sendPrivatePage(request, reply, <StartPage site={deps.site} form={form} errors={errors} />, 400);
      return seeOther(reply, '/studio?done=opened');
    });
  };
}
