import cliProgress from 'cli-progress';
import { isDomainError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Category, NewProduct, ProductImage } from '../modules/catalog/index.ts';
import type { Container } from './container.ts';
import { demoPassword, type DemoPassword } from './demo-password.ts';
import { detailPicture, giftBoxPicture, productPicture, type DemoPicture } from './demo-pictures.ts';
import { hashSeed, rngFrom, type Rng } from './seed-random.ts';

export { hashSeed };

/**
 * Believable demo data, made only through the modules' public services (identity, catalog, search,
 * media), so the seeder exercises the same code paths as real use and never writes a table itself.
 *
 * - An admin, and about one seller with one shop per 50 products (at least 3), all with the
 *   installation's demo password (demo-password.ts: random, made at the first seed, kept in the
 *   data folder).
 * - A category tree, and products whose titles, descriptions, options and prices fit their category.
 * - Pictures drawn for the products (demo-pictures.ts: the object and colour the title names), each
 *   stored once through the media service; the first UNIQUE_PICTURES products get their own, the
 *   rest share one per object and colour, so seeding 100,000 products does not resize 100,000 images.
 *
 * Deterministic: the same product count gives the same shops, titles and prices (ids differ).
 * Seeding again into a non-empty catalog adds another generation of shops (`-g2`, `-g3` slugs,
 * `seller1.g2@atelier.test` logins).
 */

export const DEMO_ADMIN_EMAIL = 'admin@atelier.test';

const PRODUCTS_PER_SHOP = 50;
const MIN_SHOPS = 3;
/** Rows per importProducts call: one transaction with multi-row inserts. */
const IMPORT_BATCH = 500;
/** Products per search.indexProducts call. */
const INDEX_BATCH = 1000;
/** Shops seeded at once: enough to overlap password hashing, inserts and indexing. */
const PARALLEL_SHOPS = 4;
/**
 * Products (in plan order, counted over every shop) whose main picture is composed for them alone;
 * beyond them, products share one picture per object and colour family. A picture costs about a
 * tenth of a second of one core (three WebP encodes): the default demo (200) makes about 215
 * pictures, and a seed of any size at most about 520.
 */
export const UNIQUE_PICTURES = 200;

export type SeedOptions = { products: number; onlyIfEmpty: boolean; progress: boolean };
/** `password`: the demo accounts' password and its file, when this call seeded (`created` says whether it made the password). */
export type SeedResult = { created: boolean; products: number; password: DemoPassword | null };

// ---------------------------------------------------------------------------------------------
// Word lists: what a handmade marketplace sells, grouped by craft.

type Words = Readonly<Record<string, readonly string[]>>;
type OptionAxis = Readonly<{ name: string; values: readonly string[]; step: number }>;

type Leaf = Readonly<{
  slug: string;
  name: string;
  objects: readonly string[];
  /** Price range in major units. */
  price: readonly [number, number];
  options: OptionAxis | null;
}>;

type Craft = Readonly<{
  slug: string;
  name: string;
  shopSuffixes: readonly string[];
  words: Words;
  title(w: (key: string) => string, object: string, r: Rng): string;
  sentences: ReadonlyArray<(w: (key: string) => string, object: string) => string>;
  leaves: readonly Leaf[];
}>;

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "salad servers" and "hoops" are plural; "glass" is not. */
const plural = (o: string) => /[^s]s$/.test(o);
const an = (phrase: string) => (plural(phrase) ? phrase : `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`);
const thisIs = (o: string) => (plural(o) ? `These ${o} are` : `This ${o} is`);

const CRAFTS: readonly Craft[] = [
  {
    slug: 'ceramics',
    name: 'Ceramics',
    shopSuffixes: ['Pottery', 'Ceramics', 'Clayworks', 'Studio Pottery', 'Kiln'],
    words: {
      technique: ['hand-thrown', 'wheel-thrown', 'hand-built', 'slip-cast', 'coil-built', 'pinched'],
      material: ['stoneware', 'porcelain', 'earthenware', 'terracotta', 'buff stoneware'],
      glaze: ['speckled oatmeal', 'celadon', 'tenmoku', 'ash', 'sea-green', 'chalk white', 'cobalt', 'iron red', 'honey', 'moss'],
      finish: ['glaze', 'satin glaze', 'crackle glaze', 'matte glaze', 'shino glaze'],
      kiln: ['wood-fired', 'gas-fired', 'reduction-fired', 'electric-fired'],
    },
    title: (w, o, r) =>
      r.pick([
        `${cap(w('technique'))} ${w('material')} ${o} in ${w('glaze')} ${w('finish')}`,
        `${cap(w('glaze'))} ${w('material')} ${o}, ${w('kiln')}`,
      ]),
    sentences: [
      (w, o) => `${thisIs(o)} ${w('technique')} from ${w('material')} and finished in ${an(`${w('glaze')} ${w('finish')}`)}.`,
      (w) => `${cap(w('kiln'))} to 1280°C, so it is dishwasher and microwave safe.`,
      () => 'Because every piece is made by hand, the glaze pools and breaks a little differently on each one.',
      (w) => `Every piece is signed on the foot, which is left as raw ${w('material')}.`,
    ],
    leaves: [
      {
        slug: 'mugs',
        name: 'Mugs',
        objects: ['mug', 'tea bowl', 'espresso cup', 'beaker'],
        price: [22, 48],
        options: { name: 'size', values: ['8 oz', '12 oz', '16 oz'], step: 4 },
      },
      {
        slug: 'bowls',
        name: 'Bowls',
        objects: ['bowl', 'noodle bowl', 'serving bowl', 'nesting bowls'],
        price: [24, 95],
        options: { name: 'size', values: ['small', 'medium', 'large'], step: 12 },
      },
      { slug: 'vases', name: 'Vases', objects: ['vase', 'bud vase', 'moon jar', 'bottle vase'], price: [30, 180], options: null },
      {
        slug: 'plates',
        name: 'Plates',
        objects: ['dinner plate', 'side plate', 'platter', 'dish'],
        price: [20, 85],
        options: { name: 'size', values: ['20 cm', '24 cm', '28 cm'], step: 6 },
      },
    ],
  },
  {
    slug: 'textiles',
    name: 'Textiles',
    shopSuffixes: ['Weavers', 'Looms', 'Textiles', 'Knits', 'Weaving Studio'],
    words: {
      technique: ['handwoven', 'hand-knitted', 'hand-loomed', 'loom-woven', 'hand-felted'],
      material: ['merino', 'alpaca', 'linen', 'organic cotton', 'mohair', 'Shetland wool', 'lambswool'],
      colour: ['moss', 'indigo', 'rust', 'oatmeal', 'heather', 'charcoal', 'saffron', 'sea-glass', 'madder red', 'undyed cream'],
      pattern: ['herringbone', 'twill', 'windowpane check', 'stripe', 'waffle weave', 'houndstooth'],
    },
    title: (w, o, r) =>
      r.pick([
        `${cap(w('technique'))} ${w('material')} ${o} in ${w('colour')} ${w('pattern')}`,
        `${cap(w('colour'))} ${w('material')} ${o}, ${w('technique')}`,
      ]),
    sentences: [
      (w, o) => `${thisIs(o)} ${w('technique')} from ${w('material')} in a soft ${w('pattern')}.`,
      (w) => `The ${w('colour')} comes from plant dyes, so it mellows gently with washing.`,
      () => 'Hand wash cool and dry flat; it will soften with every wear.',
      () => 'Made to order in a small studio; allow a few days for each piece to come off the loom.',
    ],
    leaves: [
      {
        slug: 'scarves',
        name: 'Scarves',
        objects: ['scarf', 'wrap', 'snood', 'shawl'],
        price: [45, 140],
        options: { name: 'colour', values: ['moss', 'indigo', 'rust', 'oatmeal'], step: 0 },
      },
      {
        slug: 'blankets',
        name: 'Blankets',
        objects: ['blanket', 'throw', 'picnic blanket', 'baby blanket'],
        price: [90, 320],
        options: { name: 'size', values: ['throw', 'double', 'king'], step: 60 },
      },
      {
        slug: 'cushions',
        name: 'Cushions',
        objects: ['cushion cover', 'bolster', 'floor cushion'],
        price: [35, 95],
        options: { name: 'size', values: ['40 cm', '50 cm', '60 cm'], step: 10 },
      },
    ],
  },
  {
    slug: 'jewellery',
    name: 'Jewellery',
    shopSuffixes: ['Jewellery', 'Metalsmiths', 'Silverworks', 'Goldsmiths'],
    words: {
      technique: ['hammered', 'hand-forged', 'cast', 'oxidised', 'hand-engraved', 'textured'],
      material: ['sterling silver', 'recycled silver', '9ct gold', 'brass', 'rose gold', 'copper'],
      stone: ['moonstone', 'labradorite', 'garnet', 'sea glass', 'turquoise', 'freshwater pearl', 'amethyst', 'opal'],
    },
    title: (w, o, r) =>
      r.pick([`${cap(w('technique'))} ${w('material')} ${o} with ${w('stone')}`, `${cap(w('material'))} ${o}, ${w('technique')}`]),
    sentences: [
      (w, o) => `${cap(an(`${w('technique')} ${o}`))}, made at the bench from ${w('material')}.`,
      (w) => `Set with a hand-picked ${w('stone')}; no two stones are quite alike.`,
      () => 'Hallmarked where the metal requires it, and sent in a recycled card box ready to give.',
      () => 'Polish with a soft cloth; keep away from perfume and water.',
    ],
    leaves: [
      {
        slug: 'rings',
        name: 'Rings',
        objects: ['ring', 'stacking ring', 'signet ring', 'band'],
        price: [38, 260],
        options: { name: 'size', values: ['J', 'L', 'N', 'P', 'R'], step: 0 },
      },
      {
        slug: 'necklaces',
        name: 'Necklaces',
        objects: ['necklace', 'pendant', 'locket', 'chain'],
        price: [45, 320],
        options: { name: 'length', values: ['40 cm', '45 cm', '50 cm'], step: 5 },
      },
      {
        slug: 'earrings',
        name: 'Earrings',
        objects: ['stud earrings', 'hoops', 'drop earrings', 'ear climbers'],
        price: [28, 180],
        options: null,
      },
    ],
  },
  {
    slug: 'woodwork',
    name: 'Woodwork',
    shopSuffixes: ['Woodcraft', 'Joinery', 'Turnery', 'Woodshop', 'Spooncarvers'],
    words: {
      technique: ['hand-carved', 'lathe-turned', 'steam-bent', 'hand-planed', 'whittled'],
      wood: ['cherry', 'walnut', 'ash', 'oak', 'sycamore', 'olive wood', 'birch', 'elm'],
      finish: ['food-safe oil', 'beeswax', 'linseed oil', 'a hard wax oil'],
    },
    title: (w, o, r) =>
      r.pick([`${cap(w('technique'))} ${w('wood')} ${o}`, `${cap(w('wood'))} ${o}, ${w('technique')} and finished in ${w('finish')}`]),
    sentences: [
      (w, o) => `${thisIs(o)} ${w('technique')} from ${w('wood')}, felled locally and seasoned for two years.`,
      (w) => `Finished with ${w('finish')}; oil it now and then and it will last for decades.`,
      () => 'The grain, colour and any small knots are part of the wood and differ from piece to piece.',
    ],
    leaves: [
      {
        slug: 'boards',
        name: 'Boards',
        objects: ['chopping board', 'serving board', 'bread board', 'cheese board'],
        price: [28, 140],
        options: { name: 'size', values: ['small', 'medium', 'large'], step: 15 },
      },
      {
        slug: 'spoons',
        name: 'Spoons',
        objects: ['serving spoon', 'eating spoon', 'spatula', 'coffee scoop', 'salad servers'],
        price: [16, 65],
        options: null,
      },
      {
        slug: 'wooden-bowls',
        name: 'Wooden bowls',
        objects: ['bowl', 'fruit bowl', 'salad bowl', 'trinket dish'],
        price: [35, 190],
        options: null,
      },
    ],
  },
  {
    slug: 'leather',
    name: 'Leather',
    shopSuffixes: ['Leatherworks', 'Saddlery', 'Leather Co.', 'Leathercraft'],
    words: {
      technique: ['hand-stitched', 'saddle-stitched', 'hand-cut', 'hand-tooled'],
      leather: ['vegetable-tanned leather', 'bridle leather', 'oak-bark tanned leather', 'waxed leather'],
      colour: ['chestnut', 'tan', 'black', 'oxblood', 'natural', 'olive', 'navy'],
    },
    title: (w, o, r) =>
      r.pick([`${cap(w('technique'))} ${w('leather')} ${o} in ${w('colour')}`, `${cap(w('colour'))} ${w('leather')} ${o}`]),
    sentences: [
      (w, o) => `${cap(an(o))} cut from ${w('leather')} and ${w('technique')} with waxed linen thread.`,
      () => 'Edges are bevelled, burnished and sealed by hand, and the leather darkens into a rich patina.',
      () => 'Built to be repaired rather than replaced: send it back any time for a re-stitch.',
    ],
    leaves: [
      {
        slug: 'wallets',
        name: 'Wallets',
        objects: ['wallet', 'card holder', 'coin purse', 'passport cover'],
        price: [35, 120],
        options: { name: 'colour', values: ['chestnut', 'tan', 'black'], step: 0 },
      },
      {
        slug: 'bags',
        name: 'Bags',
        objects: ['tote bag', 'satchel', 'crossbody bag', 'weekender'],
        price: [120, 480],
        options: { name: 'colour', values: ['chestnut', 'black', 'olive'], step: 0 },
      },
      {
        slug: 'belts',
        name: 'Belts',
        objects: ['belt', 'watch strap', 'dog collar'],
        price: [30, 110],
        options: { name: 'size', values: ['S', 'M', 'L', 'XL'], step: 0 },
      },
    ],
  },
  {
    slug: 'prints',
    name: 'Prints',
    shopSuffixes: ['Press', 'Print Studio', 'Printworks', 'Editions'],
    words: {
      subject: [
        'heron at dusk',
        'hares in the meadow',
        'the harbour at low tide',
        'winter hawthorn',
        'starlings',
        'hill fort in the mist',
        'wild garlic',
        'the old lighthouse',
        'foxgloves',
        'sea pinks',
      ],
      technique: ['linocut', 'screen-printed', 'woodcut', 'etched', 'risograph', 'cyanotype'],
      colours: ['indigo', 'two colours', 'three colours', 'black and ochre', 'teal and coral', 'soft greys'],
    },
    title: (w, o, r) =>
      r.pick([`${cap(w('subject'))}, ${w('technique')} ${o} in ${w('colours')}`, `${cap(w('subject'))} ${o}, ${w('technique')}`]),
    sentences: [
      (w, o) => `${cap(w('subject'))}: ${an(`${w('technique')} ${o}`)} in ${w('colours')}.`,
      (_w, o) =>
        o.includes('print')
          ? 'Printed by hand on heavyweight cotton rag paper in a numbered edition of 50, signed and titled.'
          : 'Printed by hand in small batches on recycled paper.',
      (_w, o) =>
        o.includes('print') ? 'Sent flat between card, unframed; standard frame sizes fit.' : 'Sent flat in a recycled card mailer.',
    ],
    leaves: [
      {
        slug: 'linocuts',
        name: 'Linocuts & woodcuts',
        objects: ['print', 'art print', 'limited edition print'],
        price: [25, 160],
        options: { name: 'size', values: ['A5', 'A4', 'A3'], step: 20 },
      },
      {
        slug: 'cards',
        name: 'Cards & stationery',
        objects: ['greetings card set', 'notebook', 'postcard set', 'wrapping paper'],
        price: [8, 30],
        options: null,
      },
    ],
  },
  {
    slug: 'glass',
    name: 'Glass',
    shopSuffixes: ['Glassworks', 'Glass Studio', 'Hot Shop'],
    words: {
      technique: ['mouth-blown', 'hand-blown', 'kiln-formed', 'fused', 'optic-blown'],
      colour: ['sea green', 'amber', 'smoke', 'clear', 'cobalt', 'peach', 'olive'],
      material: ['recycled glass', 'borosilicate glass', 'lead-free crystal', 'glass'],
    },
    title: (w, o, r) =>
      r.pick([`${cap(w('technique'))} ${w('material')} ${o} in ${w('colour')}`, `${cap(w('colour'))} ${o}, ${w('technique')}`]),
    sentences: [
      (w, o) => `${thisIs(o)} ${w('technique')} from ${w('material')}, one gather at a time.`,
      () => 'Small bubbles and slight variations in thickness are the marks of the hand, not flaws.',
      () => 'Hand wash recommended to keep the surface bright.',
    ],
    leaves: [
      {
        slug: 'tumblers',
        name: 'Tumblers & glasses',
        objects: ['tumbler', 'wine glass', 'carafe', 'water glass'],
        price: [24, 90],
        options: { name: 'set', values: ['single', 'pair', 'set of four'], step: 30 },
      },
      {
        slug: 'glass-vessels',
        name: 'Vessels',
        objects: ['bud vase', 'bowl', 'paperweight', 'suncatcher'],
        price: [30, 220],
        options: null,
      },
    ],
  },
];

const SHOP_WORDS = [
  'Hollow Oak',
  'Saltmarsh',
  'Fernbrake',
  'Larchwood',
  'Bramble',
  'Harbour',
  'Mossbank',
  'Wren',
  'Ember',
  'Hearthstone',
  'Willow',
  'Slate',
  'Thistle',
  'Heron',
  'Linden',
  'Juniper',
  'Quarry',
  'Meadowsweet',
  'Copper Beech',
  'Little Owl',
  'Tidewater',
  'Foxglove',
  'North Light',
  'Old Mill',
  'Riverbend',
  'Blackthorn',
  'Greenwood',
  'Sandpiper',
  'Skylark',
  'Rowan',
  'Kestrel',
  'Hazel',
  'Pebble',
  'Driftwood',
  'Nettle',
  'Orchard',
  'Barn Owl',
  'Seaholly',
  'Marram',
  'Heathland',
];
const FIRST_NAMES = [
  'Maya',
  'Tom',
  'Aisha',
  'Eleanor',
  'Kofi',
  'Ines',
  'Rory',
  'Priya',
  'Hannah',
  'Owen',
  'Sakura',
  'Lucia',
  'Felix',
  'Amara',
  'Iris',
  'Callum',
  'Noor',
  'Freya',
  'Jonah',
  'Elif',
  'Mateo',
  'Rosa',
  'Ezra',
  'Niamh',
  'Yusuf',
  'Clara',
  'Dev',
  'Ottilie',
  'Sami',
  'Beatrix',
];
const LAST_NAMES = [
  'Okafor',
  'Hughes',
  'Lindqvist',
  'Barnes',
  'Mensah',
  'Moreau',
  'Patel',
  'Fletcher',
  'Tanaka',
  'Quinn',
  'Rossi',
  'Calloway',
  'Haddad',
  'Pryce',
  'Novak',
  'Ashby',
  'Kowalski',
  'Mallory',
  'Adeyemi',
  'Thorne',
  'Nakamura',
  'Whitlock',
  'Santos',
  'Greaves',
  'Ahmed',
];
const PLACES = [
  'Hebden Bridge',
  'St Ives',
  'Whitby',
  'Stroud',
  'Ludlow',
  'Totnes',
  'Hay-on-Wye',
  'Frome',
  'Aldeburgh',
  'Keswick',
  'Rye',
  'Lewes',
  'Bruton',
  'Kirkcudbright',
  'Penzance',
  'Hexham',
  'Ironbridge',
  'Dartington',
  'Llandeilo',
  'Cromarty',
];

// ---------------------------------------------------------------------------------------------

export type ShopPlan = Readonly<{
  index: number;
  craft: Craft;
  name: string;
  slug: string;
  owner: { name: string; email: string };
  place: string;
  products: number;
}>;

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Shop i's name and owner depend only on i, so the first shops are the same whatever the count. */
export function planShops(products: number, generation: number, seed: number): ShopPlan[] {
  const shops = Math.max(MIN_SHOPS, Math.round(products / PRODUCTS_PER_SHOP));
  const suffix = generation === 1 ? '' : `-g${generation}`;
  const mail = generation === 1 ? '' : `.g${generation}`;
  const taken = new Set<string>();
  const plans: Array<Omit<ShopPlan, 'products'> & { weight: number }> = [];
  for (let i = 0; i < shops; i++) {
    const r = rngFrom(hashSeed('shop', i));
    const craft = CRAFTS[i % CRAFTS.length]!;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    let name = '';
    for (let attempt = 0; attempt < 8 && (name === '' || taken.has(name)); attempt++) {
      const kind = r.next();
      const suffixWord = r.pick(craft.shopSuffixes);
      if (kind < 0.5) name = `${r.pick(SHOP_WORDS)} ${suffixWord}`;
      else if (kind < 0.8) name = `${first} ${last} ${suffixWord}`;
      else name = `${last} & ${r.pick(SHOP_WORDS)}`;
    }
    if (taken.has(name)) name = `${name} no. ${i + 1}`;
    taken.add(name);
    // A long tail, as on real marketplaces: a few busy shops, many small ones.
    const weight = 1 / Math.pow(1 + rngFrom(hashSeed(seed, 'weight', i)).next() * 4, 1.6);
    plans.push({
      index: i,
      craft,
      name,
      slug: `${slugify(name)}${suffix}`,
      owner: { name: `${first} ${last}`, email: `seller${i + 1}${mail}@atelier.test` },
      place: r.pick(PLACES),
      weight,
    });
  }
  // Split the products by weight; the rounding remainder goes one each to the first shops.
  const total = plans.reduce((s, p) => s + p.weight, 0);
  const counts = plans.map((p) => Math.floor((p.weight / total) * products));
  let left = products - counts.reduce((s, c) => s + c, 0);
  for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i]! += 1;
  return plans.map(({ weight: _w, ...p }, i) => ({ ...p, products: counts[i]! }));
}

/** A planned product: what importProducts takes, with the pictures still to be rendered and stored. */
export type PlannedProduct = NewProduct & { pictures: DemoPicture[] };

/**
 * The shop's products. `firstIndex`: how many products the shops before this one have (their
 * position decides between a picture of their own and a shared one, UNIQUE_PICTURES).
 */
export function makeProducts(
  plan: ShopPlan,
  seed: number,
  categories: ReadonlyMap<string, Category>,
  firstIndex: number,
): PlannedProduct[] {
  const r = rngFrom(hashSeed(seed, 'products', plan.index));
  const { craft } = plan;
  const out: PlannedProduct[] = [];
  const titles = new Set<string>();
  // A shop specialises: most of its products come from two or three of its craft's leaves.
  const leaves = craft.leaves.filter((_, i) => i === plan.index % craft.leaves.length || r.chance(0.6));
  for (let n = 0; n < plan.products; n++) {
    const leaf = r.pick(leaves);
    // One pick per word kind per product, so the title and the description describe the same thing.
    const chosen = new Map<string, string>();
    const w = (key: string) => {
      let word = chosen.get(key);
      if (word === undefined) {
        word = r.pick(craft.words[key] ?? ['handmade']);
        chosen.set(key, word);
      }
      return word;
    };
    const object = r.pick(leaf.objects);
    let title = craft.title(w, object, r);
    if (titles.has(title)) title = `${title} (${r.pick(['no.', 'batch', 'edition'])} ${n + 1})`;
    titles.add(title);
    const sentences = craft.sentences.filter((_, i) => i === 0 || r.chance(0.75)).map((s) => s(w, object));
    sentences.push(`Made by ${plan.owner.name} in ${plan.place}.`);
    const description = sentences.join(' ');

    const base = r.int(leaf.price[0], leaf.price[1]);
    const cents = r.pick([0, 0, 0, 50, 0, 0]);
    const variants: Array<{ options: Record<string, string>; price: number }> = [];
    if (leaf.options) {
      const count = r.int(1, Math.min(4, leaf.options.values.length));
      const start = r.int(0, leaf.options.values.length - count);
      for (let v = 0; v < count; v++) {
        variants.push({
          options: { [leaf.options.name]: leaf.options.values[start + v]! },
          price: (base + v * leaf.options.step) * 100 + cents,
        });
      }
    } else {
      variants.push({ options: {}, price: base * 100 + cents });
    }

    // The picture shows what the words chose (object, glaze, colour, wood...); its composition comes
    // from its own generator, so pictures never change the titles and prices drawn after them.
    const imageCount = r.int(1, 3);
    const subject = { craft: craft.slug, object, words: chosen };
    const own = firstIndex + n < UNIQUE_PICTURES;
    const pictures = [productPicture(subject, own ? hashSeed(seed, 'picture', plan.index, n) : 'shared')];
    if (imageCount >= 2) pictures.push(detailPicture(subject));
    if (imageCount >= 3) pictures.push(giftBoxPicture());
    out.push({
      title,
      description,
      categoryId: categories.get(leaf.slug)?.id ?? categories.get(craft.slug)?.id ?? null,
      status: r.chance(0.94) ? 'published' : 'draft',
      variants,
      pictures,
    });
  }
  return out;
}

/**
 * Demo stock: most variants well stocked, some with only a few left, some sold out (no stock row at
 * all), so the storefront shows every public stock status.
 */
function stockFor(
  products: ReadonlyArray<{ variants: ReadonlyArray<{ id: string }> }>,
  rng: Rng,
): Array<{ variantId: string; quantity: number }> {
  const lines: Array<{ variantId: string; quantity: number }> = [];
  for (const product of products) {
    for (const variant of product.variants) {
      const roll = rng.next();
      if (roll < 0.08) continue;
      lines.push({ variantId: variant.id, quantity: roll < 0.18 ? rng.int(1, 5) : rng.int(6, 60) });
    }
  }
  return lines;
}

async function ensureCategories(app: Container): Promise<Map<string, Category>> {
  const bySlug = new Map((await app.catalog.service.listCategories()).map((c) => [c.slug, c] as const));
  for (const craft of CRAFTS) {
    let parent = bySlug.get(craft.slug);
    if (!parent) {
      parent = await app.catalog.service.createCategory({ slug: craft.slug, name: craft.name, parentId: null });
      bySlug.set(parent.slug, parent);
    }
    for (const leaf of craft.leaves) {
      if (bySlug.has(leaf.slug)) continue;
      const child = await app.catalog.service.createCategory({ slug: leaf.slug, name: leaf.name, parentId: parent.id });
      bySlug.set(child.slug, child);
    }
  }
  return bySlug;
}

async function ignoreConflict<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (err) {
    if (isDomainError(err) && err.kind === 'conflict') return null;
    throw err;
  }
}

type Progress = Readonly<{ add(n: number): void; stop(): void }>;

function startProgress(app: Container, total: number, show: boolean): Progress {
  if (show && process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'seeding |{bar}| {percentage}% | {value}/{total} products | {duration_formatted} elapsed, ETA {eta_formatted}',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { add: (n) => bar.increment(n), stop: () => bar.stop() };
  }
  // No terminal (CI, logs) or no progress wanted: a line at every tenth instead of a redrawn bar.
  let done = 0;
  let lastTenth = 0;
  const started = Date.now();
  return {
    add(n) {
      done += n;
      const tenth = Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        const line = `seeding: ${tenth * 10}% (${done}/${total} products, ${((Date.now() - started) / 1000).toFixed(1)} s)`;
        if (show) console.log(line);
        else app.log.debug(line);
      }
    },
    stop() {},
  };
}

/** Runs `work` over the items with at most `limit` at once, stopping at the first failure. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: Error[] = [];
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        failures.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
  });
  await Promise.all(lanes);
  if (failures.length > 0) throw failures[0]!;
}

/** The first generation whose first shop slug is free: a re-seed adds shops instead of colliding. */
async function nextGeneration(app: Container, firstSlug: string): Promise<number> {
  for (let g = 1; g < 1000; g++) {
    const slug = g === 1 ? firstSlug : `${firstSlug}-g${g}`;
    if (!(await app.catalog.service.getShopBySlug(slug))) return g;
  }
  throw new Error('too many seed generations');
}

export async function seedDemo(app: Container, opts: SeedOptions): Promise<SeedResult> {
  const { catalog, search, identity, media } = {
    catalog: app.catalog.service,
    search: app.search.service,
    identity: app.identity.service,
    media: app.media.service,
  };
  const products = Math.max(0, Math.floor(opts.products));
  const plans0 = planShops(products, 1, 0);
  if (opts.onlyIfEmpty) {
    const anyProduct = (await catalog.listProductIds(null, 1)).length > 0;
    if (anyProduct || (await catalog.getShopBySlug(plans0[0]!.slug))) return { created: false, products: 0, password: null };
  }
  const password = await demoPassword(app.config.dataDir);
  const started = Date.now();
  const seed = hashSeed('atelier-demo', products);
  const generation = await nextGeneration(app, plans0[0]!.slug);
  const plans = planShops(products, generation, seed);

  if (generation === 1) {
    await ignoreConflict(
      identity.createAccount({ email: DEMO_ADMIN_EMAIL, password: password.password, name: 'Atelier Admin', role: 'admin' }),
    );
  }
  const categories = await ensureCategories(app);

  // Each picture key rendered and stored once (through the media path, as an upload would be),
  // however many products show it.
  const stored = new Map<string, Promise<ProductImage['urls']>>();
  const imagesOf = (pictures: readonly DemoPicture[]): Promise<ProductImage[]> =>
    Promise.all(
      pictures.map(async (picture) => {
        let urls = stored.get(picture.key);
        if (!urls) {
          urls = media.storeVariants(Buffer.from(picture.svg()));
          stored.set(picture.key, urls);
        }
        return { id: newId(), alt: picture.alt, urls: await urls };
      }),
    );
  const firstIndex = new Map<ShopPlan, number>();
  plans.reduce((sum, plan) => (firstIndex.set(plan, sum), sum + plan.products), 0);

  const progress = startProgress(app, products, opts.progress);
  let created = 0;
  let pendingIndex: string[] = [];
  const flushIndex = async (force: boolean) => {
    while (pendingIndex.length >= INDEX_BATCH || (force && pendingIndex.length > 0)) {
      const batch = pendingIndex.slice(0, INDEX_BATCH);
      pendingIndex = pendingIndex.slice(INDEX_BATCH);
      await search.indexProducts(batch);
    }
  };
  try {
    await eachLimited(plans, PARALLEL_SHOPS, async (plan) => {
      const owner = await identity.createAccount({
        email: plan.owner.email,
        password: password.password,
        name: plan.owner.name,
        role: 'seller',
      });
      const shop = await catalog.createShop(owner.id, {
        slug: plan.slug,
        name: plan.name,
        description: `${plan.craft.name} made by hand by ${plan.owner.name} in ${plan.place}.`,
        currency: app.config.currency,
      });
      const planned = makeProducts(plan, seed, categories, firstIndex.get(plan)!);
      const stockRng = rngFrom(hashSeed(seed, plan.slug, 'stock'));
      for (let i = 0; i < planned.length; i += IMPORT_BATCH) {
        const batch = await Promise.all(
          planned.slice(i, i + IMPORT_BATCH).map(async ({ pictures, ...product }) => ({ ...product, images: await imagesOf(pictures) })),
        );
        const ids = await catalog.importProducts(shop.id, batch);
        await app.inventory.service.restockMany(stockFor(await catalog.getProducts(ids), stockRng));
        created += ids.length;
        pendingIndex.push(...ids);
        await flushIndex(false);
        progress.add(batch.length);
      }
    });
    await flushIndex(true);
  } finally {
    progress.stop();
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  app.log.info(
    {
      products: created,
      shops: plans.length,
      seconds,
      logins: [DEMO_ADMIN_EMAIL, plans[0]!.owner.email],
      passwordFile: password.file,
    },
    'demo data seeded',
  );
  if (opts.progress) {
    console.log(`\nSeeded ${created} products in ${plans.length} shops in ${seconds} s.`);
    console.log(`Demo logins (password in ${password.file}):`);
    if (generation === 1) console.log(`  admin   ${DEMO_ADMIN_EMAIL}`);
    for (const plan of plans.slice(0, 3)) console.log(`  seller  ${plan.owner.email}  (${plan.name}, /shops/${plan.slug})`);
    if (plans.length > 3)
      console.log(`  ... and ${plans.length - 3} more sellers, ${plans[3]!.owner.email} to ${plans.at(-1)!.owner.email}`);
  }
  return { created: true, products: created, password };
}

/**
 * The lines that show a newly made demo password, once: on the terminal of the first start (or
 * seed), never in the structured log. Later runs point to the file instead.
 */
export function demoPasswordNotice(p: DemoPassword): string {
  return p.created
    ? `\n  Demo accounts (${DEMO_ADMIN_EMAIL}, seller1@atelier.test, ...) log in with this password, shown once:\n\n    ${p.password}\n\n  It is kept in ${p.file} (readable by you only).\n`
    : `\n  Demo accounts log in with the password in ${p.file}.\n`;
}
