import { hydrateIslands } from './hydrate.ts';
import { STOREFRONT_ISLANDS } from './island-loaders.ts';

/** The storefront's script: its islands, and nothing of the studio's or the console's. */
hydrateIslands(STOREFRONT_ISLANDS);
