import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { CartModule } from '../../modules/cart/index.ts';
import type { CatalogModule } from '../../modules/catalog/index.ts';
import type { IdentityModule } from '../../modules/identity/index.ts';
import type { InventoryModule } from '../../modules/inventory/index.ts';
import type { OrdersModule } from '../../modules/orders/index.ts';
import type { SearchModule } from '../../modules/search/index.ts';
import type { SiteContext } from '../components/document.tsx';
import type { PageCache } from '../html.ts';

/**
 * What the storefront's pages are built from: the modules themselves (their functions and cache
 * tiers, never Atelier's API over HTTP) and a few settings. Made once by app/http.ts.
 */
export type StorefrontDeps = Readonly<{
  catalog: CatalogModule;
  search: SearchModule;
  inventory: InventoryModule;
  cart: CartModule;
  orders: OrdersModule;
  identity: IdentityModule;
  site: SiteContext;
  /** The same `s-maxage` and stale-while-revalidate as the JSON reads (HTTP_S_MAXAGE_SECONDS). */
  httpCache: PublicCachePolicy;
  /** Origins a form may be posted from (PUBLIC_URL's); the request's own host is always allowed. */
  allowedOrigins: ReadonlySet<string>;
  pages: PageCache;
  /** The platform currency (PUBLIC_CURRENCY): public prices and the listing's price filter. */
  currency: string;
}>;
