import type { FastifyReply, FastifyRequest } from 'fastify';
import { Layout, PageHeading } from '../components/layout.tsx';
import { sendPublicPage } from '../html.ts';
import type { StorefrontDeps } from './site.ts';

function HomePage(props: { deps: StorefrontDeps }) {
  const { site } = props.deps;
  return (
    <Layout
      site={site}
      meta={{
        title: site.siteName,
        description: 'Handcrafted goods from independent makers: ceramics, textiles, woodwork and more.',
        path: '/',
      }}
    >
      <PageHeading title="Made by hand, sold by the maker" lead="Ceramics, textiles, woodwork and more from independent workshops." />
      <p>
        <a class="button" href="/products">
          Browse everything
        </a>
      </p>
    </Layout>
  );
}

/** The home page: the same for everyone, so cached by a CDN like the catalog's JSON. */
export async function homePage(deps: StorefrontDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const page = deps.pages.get('home', () => <HomePage deps={deps} />);
  return sendPublicPage(request, reply, page, deps.httpCache);
}
