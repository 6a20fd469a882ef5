import type { FastifyPluginAsync } from 'fastify';
import { accountRoutes } from '../account/account-routes.tsx';
import { authRoutes } from '../account/auth-routes.tsx';
import { checkoutRoutes } from '../checkout/checkout-routes.tsx';
import { requireSameOrigin } from '../csrf.ts';
import { acceptForms } from '../forms.ts';
import { addToCart, cartPage, changeLine } from './cart-page.tsx';
import { productPage } from './product-page.tsx';
import { pageErrorHandler, sendForbiddenPage } from './errors.tsx';
import { browseRoutes } from './browse-routes.tsx';
import type { StorefrontDeps } from './site.ts';

/**
 * The storefront at the site root: server-rendered pages built from the modules' values, forms
 * that post and redirect, islands that enhance. Every POST here must come from this site
 * (csrf.ts). An unexpected error shows the site's error page, not JSON.
 */
export function storefrontRoutes(deps: StorefrontDeps): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler(pageErrorHandler(deps.site));
    app.addHook(
      'preHandler',
      requireSameOrigin(deps.allowedOrigins, (request, reply) => sendForbiddenPage(deps.site, request, reply)),
    );

    acceptForms(app);
    const hide = { hide: true };
    const withAccount = { preHandler: deps.identity.guards.optionalAccount };

    browseRoutes(app, deps);

    app.get<{ Params: { id: string } }>('/products/:id', { schema: hide }, (request, reply) =>
      productPage(deps, request, reply, request.params.id),
    );
    app.get('/cart', { schema: hide, ...withAccount }, (request, reply) => cartPage(deps, request, reply));
    app.post('/cart/lines', { schema: hide, ...withAccount }, (request, reply) => addToCart(deps, request, reply));
    app.post<{ Params: { variantId: string } }>('/cart/lines/:variantId', { schema: hide, ...withAccount }, (request, reply) =>
      changeLine(deps, request, reply, request.params.variantId),
    );
    // Sign-in family, account and checkout pages (they inherit the form parser and error pages).
    await app.register(async (forms) => {
      await forms.register(authRoutes(deps));
      await forms.register(accountRoutes(deps));
      await forms.register(checkoutRoutes(deps));
    });

    // What the header shows of the visitor (islands/account-summary.tsx): never cached.
    app.get('/session-summary', { schema: { hide: true }, preHandler: deps.identity.guards.optionalAccount }, async (request, reply) => {
      void reply.header('cache-control', 'private, no-store');
      return { name: request.account?.name ?? null, cartCount: await deps.cart.shopper.count(request) };
    });
  };
}
