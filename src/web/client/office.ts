import { hydrateIslands } from './hydrate.ts';
import { OFFICE_ISLANDS } from './office-island-loaders.ts';

/** The studio's and the console's script: their editors, uploads, charts and live figures. */
hydrateIslands(OFFICE_ISLANDS);
