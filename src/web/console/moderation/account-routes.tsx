import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../../modules/identity/index.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage } from '../../back-office/guard.tsx';
import { queryField } from '../../forms.ts';
import { sendNotFoundPage } from '../../storefront/errors.tsx';
import { AccountPage, AccountsPage, ROLES, type AccountFilters } from './account-pages.tsx';
import { frameOf, PAGE_SIZE, sendConsolePage } from './shared.tsx';

type ById = { Params: { id: string } };
const RECENT_ORDERS = 5;

/** `/console/accounts` and `/console/accounts/<id>`. */
export function accountRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  const { identity, catalog, orders } = deps;
  return async (app) => {
    app.get(
      '/console/accounts',
      { schema: { hide: true } },
      officePage(deps, 'console', async (session, request, reply) => {
        const role = queryField(request, 'role');
        const filters: AccountFilters = {
          q: queryField(request, 'q').trim().slice(0, 200),
          role: (ROLES as readonly string[]).includes(role) ? (role as Role) : '',
        };
        const cursor = queryField(request, 'cursor');
        const page = await identity.service.searchAccounts({
          limit: PAGE_SIZE,
          ...(filters.q ? { q: filters.q } : {}),
          ...(filters.role ? { role: filters.role } : {}),
          ...(cursor ? { cursor } : {}),
        });
        const frame = frameOf(deps, session, request);
        return sendConsolePage(
          request,
          reply,
          <AccountsPage frame={frame} filters={filters} accounts={page.items} nextCursor={page.nextCursor} first={!cursor} />,
        );
      }),
    );

    app.get<ById>(
      '/console/accounts/:id',
      { schema: { hide: true } },
      officePage<ById>(deps, 'console', async (session, request, reply) => {
        const account = await identity.service.accountDetail(request.params.id);
        if (!account) return sendNotFoundPage(deps.site, request, reply);
        const [shop, recent] = await Promise.all([
          catalog.service.getShopByOwner(account.id),
          orders.service.listOrders(account.id, null, RECENT_ORDERS),
        ]);
        const frame = frameOf(deps, session, request);
        return sendConsolePage(request, reply, <AccountPage frame={frame} account={account} shop={shop} orders={recent.items} />);
      }),
    );
  };
}
