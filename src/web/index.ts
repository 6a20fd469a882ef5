/**
 * The pages: the storefront at `/`, the seller studio at `/studio`, the operator console at `/console`. They render inside
 * Atelier's own HTTP server from the modules' values; app/http.ts mounts them.
 */
export { buildAssets, assetRoutes, type Assets } from './assets.ts';
export { createPageCache } from './html.ts';
export { storefrontRoutes } from './storefront/routes.tsx';
export { sendNotFoundPage } from './storefront/errors.tsx';
export type { StorefrontDeps } from './storefront/site.ts';
export type { SiteContext } from './components/document.tsx';
export { renderBusyPage } from './storefront/busy.tsx';
export { FAVICON } from './components/document.tsx';
export { backOfficeRoutes } from './back-office/routes.tsx';
export type { BackOfficeDeps } from './back-office/deps.ts';
