// STUB: the seed helper replaces this file.
import type { Container } from './container.ts';

export async function seedDemo(
  _app: Container,
  _opts: { products: number; onlyIfEmpty: boolean; progress: boolean },
): Promise<{ created: boolean; products: number }> {
  return { created: false, products: 0 };
}
