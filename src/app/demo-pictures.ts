import { hashSeed, rngFrom, type Rng } from './seed-random.ts';

/**
 * The demo products' pictures: a stylised drawing of the thing the title names (a mug, a scarf, a
 * walnut board...), in the colour the title names, as SVG that the seeder hands to the media
 * service like an upload. Pure functions of their inputs, so a seed gives the same pictures (and,
 * the storage keys being content hashes, the same URLs) on any machine.
 *
 * Deliberately flat shapes, no filters or blurs: rasterising stays a few milliseconds, and the cost
 * of a picture is the three WebP encodes of the media path.
 */

/** What a product picture shows: the craft, the object and the words its title and description chose. */
export type PictureSubject = Readonly<{ craft: string; object: string; words: ReadonlyMap<string, string> }>;

/** `key` names the picture (equal keys, equal SVG), so a seeder can render each key once. */
export type DemoPicture = Readonly<{ key: string; alt: string; svg: () => string }>;

/** Side of the drawings in pixels: the `full` variant is this size (a drawing gains nothing from more). */
export const PICTURE_SIZE = 800;

const COLOURS: Readonly<Record<string, string>> = {
  // glazes
  'speckled oatmeal': '#d9ccb4',
  celadon: '#9dbfa8',
  tenmoku: '#4a2c1d',
  ash: '#b9b2a1',
  'sea-green': '#5f9e8f',
  'chalk white': '#f2efe8',
  cobalt: '#2c4f9e',
  'iron red': '#9c3b22',
  honey: '#c98d2f',
  moss: '#6f7d3e',
  // clays
  stoneware: '#c7b59a',
  porcelain: '#f4f2ee',
  earthenware: '#b9764f',
  terracotta: '#c0653f',
  'buff stoneware': '#d8c29c',
  // yarns
  indigo: '#2f3f73',
  rust: '#a9532d',
  oatmeal: '#d8c9ad',
  heather: '#9a8399',
  charcoal: '#3d3f44',
  saffron: '#e0a526',
  'sea-glass': '#8fc1b5',
  'madder red': '#a8322d',
  'undyed cream': '#efe6d2',
  // metals and stones
  'sterling silver': '#c3c7cc',
  'recycled silver': '#b5babf',
  '9ct gold': '#d4a73a',
  brass: '#c9a24a',
  'rose gold': '#d9a08a',
  copper: '#b86b3f',
  moonstone: '#dfe6ee',
  labradorite: '#4f6f7f',
  garnet: '#7b1e2b',
  'sea glass': '#a8d5c8',
  turquoise: '#3fb6b0',
  'freshwater pearl': '#f4efe6',
  amethyst: '#8a5fa8',
  opal: '#e4eef0',
  // woods
  cherry: '#a0522d',
  walnut: '#5c3a21',
  oak: '#b98c57',
  sycamore: '#e6d5b0',
  'olive wood': '#b39a6b',
  birch: '#e8d8b5',
  elm: '#a47c55',
  // leathers
  chestnut: '#7b3f1d',
  tan: '#b9834f',
  black: '#2a2623',
  oxblood: '#5e1b1f',
  natural: '#d4a979',
  olive: '#5f603a',
  navy: '#283655',
  // glass
  'sea green': '#7fbfa6',
  amber: '#d08a2a',
  smoke: '#6b6e73',
  clear: '#dfeaf0',
  peach: '#f2b48f',
};
// Wood and glass share a few names with glazes and yarns but not their colour.
const WOOD_ASH = '#d9c7a3';
const GLASS_OLIVE = '#8a8f3c';
const GLASS_COBALT = '#3560b8';

const INKS: Readonly<Record<string, readonly string[]>> = {
  indigo: ['#2f3f73'],
  'two colours': ['#1f3b4d', '#d9734e'],
  'three colours': ['#264653', '#e9c46a', '#e76f51'],
  'black and ochre': ['#24211f', '#c8962e'],
  'teal and coral': ['#1f6f6f', '#e9806e'],
  'soft greys': ['#5b6066', '#a4a9ad'],
};

const BACKDROPS: ReadonlyArray<Readonly<{ name: string; wall: string; table: string }>> = [
  { name: 'linen', wall: '#efe7dc', table: '#e0d3c1' },
  { name: 'sage green', wall: '#dfe6dc', table: '#c9d5c3' },
  { name: 'blush pink', wall: '#f3e3dc', table: '#e4cdc2' },
  { name: 'stone grey', wall: '#e7e5e0', table: '#d3d0c9' },
  { name: 'pale blue', wall: '#e1e8ee', table: '#cbd7e1' },
  { name: 'butter yellow', wall: '#f4ecd2', table: '#e6d9b3' },
  { name: 'warm white', wall: '#f7f4ef', table: '#e9e3da' },
  { name: 'clay', wall: '#ecdccd', table: '#dcc3ad' },
];

// ---------------------------------------------------------------------------------------------
// Small SVG helpers

/** Mixes a colour towards black (f < 0) or white (f > 0). */
function shade(hex: string, f: number): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(f < 0 ? c * (1 + f) : c + (255 - c) * f);
  const [r, g, b] = [mix(n >> 16), mix((n >> 8) & 255), mix(n & 255)];
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** A smooth closed outline through the points (Catmull-Rom as cubic Béziers). */
function smoothPath(points: ReadonlyArray<readonly [number, number]>, closed = true): string {
  const p = points;
  const n = p.length;
  const at = (i: number) => (closed ? p[(i + n) % n]! : p[Math.max(0, Math.min(n - 1, i))]!);
  let d = `M${f1(p[0]![0])} ${f1(p[0]![1])}`;
  const last = closed ? n : n - 1;
  for (let i = 0; i < last; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    const c1 = [p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6];
    const c2 = [p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6];
    d += ` C${f1(c1[0]!)} ${f1(c1[1]!)} ${f1(c2[0]!)} ${f1(c2[1]!)} ${f1(p2[0])} ${f1(p2[1])}`;
  }
  return closed ? `${d} Z` : d;
}

/**
 * A turned form (pot, vase, glass) from its right-hand profile, top to bottom (x >= 0, y <= 0 up
 * from the base): the outline mirrored, and the rim's ellipse.
 */
function lathe(profile: ReadonlyArray<readonly [number, number]>, fill: string, opts: { rim?: string; opacity?: number } = {}): string {
  const right = profile;
  const left = [...profile].reverse().map(([x, y]) => [-x, y] as const);
  const outline = smoothPath([...right, ...left]);
  const [rx, ry] = [right[0]![0], right[0]![1]];
  const op = opts.opacity === undefined ? '' : ` fill-opacity="${opts.opacity}"`;
  const rim = opts.rim ? `<ellipse cx="0" cy="${ry}" rx="${rx}" ry="${f1(rx * 0.2)}" fill="${opts.rim}"${op}/>` : '';
  return `<path d="${outline}" fill="${fill}"${op}/>${rim}`;
}

/** Fill patterns for textiles, in userSpace so the weave keeps its size whatever it covers. */
function patternDef(id: string, pattern: string, ink: string): string {
  const line = (d: string, w = 6) => `<path d="${d}" stroke="${ink}" stroke-width="${w}" fill="none" stroke-opacity=".55"/>`;
  const body: Record<string, [number, string]> = {
    herringbone: [40, line('M0 0 L20 20 L40 0 M0 20 L20 40 L40 20', 4)],
    twill: [24, line('M0 24 L24 0 M-6 6 L6 -6 M18 30 L30 18', 5)],
    'windowpane check': [80, line('M0 40 H80 M40 0 V80', 5)],
    stripe: [60, `<rect y="0" width="60" height="18" fill="${ink}" fill-opacity=".5"/>`],
    'waffle weave': [28, line('M0 0 H28 V28', 5)],
    houndstooth: [32, `<path d="M0 0 H16 V16 H0 Z M16 16 L32 32 H16 Z M16 0 L32 16 V0 Z" fill="${ink}" fill-opacity=".45"/>`],
  };
  const [size, shapes] = body[pattern] ?? body.stripe!;
  return `<pattern id="${id}" width="${size}" height="${size}" patternUnits="userSpaceOnUse">${shapes}</pattern>`;
}

function svgDocument(backdrop: (typeof BACKDROPS)[number], horizon: number | null, defs: string, body: string): string {
  const S = PICTURE_SIZE;
  const table = horizon === null ? '' : `<rect y="${horizon}" width="${S}" height="${S - horizon}" fill="${backdrop.table}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" viewBox="0 0 ${S} ${S}"><defs>${defs}</defs><rect width="${S}" height="${S}" fill="${backdrop.wall}"/>${table}${body}</svg>`;
}

// ---------------------------------------------------------------------------------------------
// The objects. Each draws around (0, 0): standing things stand on it, flat things centre on it.

type Look = Readonly<{
  main: string;
  accent: string;
  /** A pattern fill id for textiles, else null. */
  pattern: string | null;
  speckled: boolean;
  stone: string | null;
  inks: readonly string[];
  subject: string;
  r: Rng;
}>;
/** `size`: the drawing's larger extent in its own units, so every object fills about the same share of the picture. */
type Drawing = Readonly<{ standing: boolean; svg: string; size: number }>;

const shadow = (rx: number, y = 0) => `<ellipse cx="0" cy="${y}" rx="${rx}" ry="${f1(rx * 0.12)}" fill="#000" fill-opacity=".12"/>`;

function speckles(r: Rng, w: number, h: number, y0: number, colour: string): string {
  let out = '';
  for (let i = 0; i < 40; i++) {
    out += `<circle cx="${f1((r.next() - 0.5) * w)}" cy="${f1(y0 + r.next() * h)}" r="${f1(1.5 + r.next() * 2.5)}" fill="${colour}" fill-opacity=".5"/>`;
  }
  return out;
}

function cup(l: Look, w: number, h: number, handle: boolean): string {
  const hw = w / 2;
  const handleSvg = handle
    ? `<path d="M${hw - 8} ${-h * 0.78} C${hw + 90} ${-h * 0.8} ${hw + 90} ${-h * 0.25} ${hw - 14} ${-h * 0.3}" stroke="${l.main}" stroke-width="${f1(w * 0.11)}" fill="none" stroke-linecap="round"/>`
    : '';
  const body = lathe(
    [
      [hw, -h],
      [hw * 0.98, -h * 0.5],
      [hw * 0.86, -h * 0.08],
      [hw * 0.7, 0],
    ],
    l.main,
  );
  const foot = `<path d="M${-hw * 0.9} ${-h * 0.16} Q0 ${-h * 0.1} ${hw * 0.9} ${-h * 0.16} L${hw * 0.72} 0 L${-hw * 0.72} 0 Z" fill="${l.accent}"/>`;
  const rim = `<ellipse cx="0" cy="${-h}" rx="${hw}" ry="${f1(hw * 0.2)}" fill="${shade(l.main, -0.35)}"/><ellipse cx="0" cy="${-h}" rx="${hw}" ry="${f1(hw * 0.2)}" fill="none" stroke="${shade(l.main, 0.2)}" stroke-width="5"/>`;
  const shine = `<path d="M${-hw * 0.6} ${-h * 0.8} Q${-hw * 0.7} ${-h * 0.45} ${-hw * 0.55} ${-h * 0.25}" stroke="#fff" stroke-opacity=".3" stroke-width="10" fill="none" stroke-linecap="round"/>`;
  return `${shadow(hw * 1.1)}${handleSvg}${body}${foot}${l.speckled ? speckles(l.r, w * 0.8, h * 0.7, -h * 0.9, '#5a4a3a') : ''}${rim}${shine}`;
}

function bowl(l: Look, w: number, h: number, opacity?: number): string {
  const hw = w / 2;
  const outline = lathe(
    [
      [hw, -h],
      [hw * 0.9, -h * 0.45],
      [hw * 0.6, -h * 0.08],
      [hw * 0.32, 0],
    ],
    l.main,
    opacity === undefined ? {} : { opacity },
  );
  const inner = `<ellipse cx="0" cy="${-h}" rx="${hw}" ry="${f1(hw * 0.22)}" fill="${shade(l.main, -0.3)}"${opacity === undefined ? '' : ` fill-opacity="${opacity}"`}/><ellipse cx="0" cy="${-h + hw * 0.05}" rx="${hw * 0.85}" ry="${f1(hw * 0.15)}" fill="${shade(l.main, 0.1)}" fill-opacity="${opacity ?? 1}"/>`;
  const foot = opacity === undefined ? `<rect x="${-hw * 0.32}" y="-12" width="${hw * 0.64}" height="12" fill="${l.accent}"/>` : '';
  return `${shadow(hw * 0.9)}${outline}${foot}${l.speckled ? speckles(l.r, w * 0.6, h * 0.5, -h * 0.8, '#5a4a3a') : ''}${inner}`;
}

function grainArcs(r: Rng, w: number, h: number, y0: number, colour: string): string {
  let out = '';
  for (let i = 0; i < 6; i++) {
    const y = y0 + (i + 0.5) * (h / 6) + (r.next() - 0.5) * 8;
    out += `<path d="M${-w / 2} ${f1(y)} Q${f1((r.next() - 0.5) * w * 0.6)} ${f1(y + (r.next() - 0.5) * 30)} ${w / 2} ${f1(y + (r.next() - 0.5) * 10)}" stroke="${colour}" stroke-width="3" fill="none" stroke-opacity=".45"/>`;
  }
  return out;
}

const VASES: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> = {
  vase: [
    [62, -400],
    [56, -360],
    [70, -300],
    [140, -200],
    [135, -90],
    [85, -10],
    [70, 0],
  ],
  'bud vase': [
    [22, -330],
    [20, -260],
    [40, -170],
    [85, -90],
    [80, -25],
    [55, 0],
  ],
  'moon jar': [
    [75, -360],
    [85, -345],
    [165, -270],
    [182, -175],
    [150, -65],
    [80, 0],
  ],
  'bottle vase': [
    [26, -410],
    [24, -300],
    [40, -240],
    [120, -170],
    [125, -70],
    [90, -8],
    [75, 0],
  ],
};

function vase(l: Look, kind: string, opacity?: number): string {
  const profile = VASES[kind] ?? VASES.vase!;
  const widest = Math.max(...profile.map(([x]) => x));
  const top = profile[0]![1];
  return `${shadow(widest)}${lathe(profile, l.main, { rim: shade(l.main, -0.4), ...(opacity === undefined ? {} : { opacity }) })}${l.speckled ? speckles(l.r, widest * 1.2, -top * 0.5, top * 0.55, '#5a4a3a') : ''}<path d="M${-widest * 0.55} ${f1(top * 0.55)} Q${-widest * 0.75} ${f1(top * 0.3)} ${-widest * 0.5} ${f1(top * 0.12)}" stroke="#fff" stroke-opacity=".3" stroke-width="10" fill="none" stroke-linecap="round"/>`;
}

function plate(l: Look, rx: number, ry: number, deep: boolean): string {
  const well = deep ? 0.6 : 0.7;
  return `${shadow(rx * 1.02, ry * 0.3)}<ellipse cx="0" cy="0" rx="${rx}" ry="${ry}" fill="${shade(l.main, -0.12)}"/><ellipse cx="0" cy="-6" rx="${rx}" ry="${ry}" fill="${l.main}"/><ellipse cx="0" cy="${deep ? 4 : -2}" rx="${f1(rx * well)}" ry="${f1(ry * well)}" fill="${shade(l.main, deep ? -0.15 : 0.08)}"/>${l.speckled ? speckles(l.r, rx * 1.4, ry * 1.2, -ry * 0.6, '#5a4a3a') : ''}<ellipse cx="0" cy="-6" rx="${rx}" ry="${ry}" fill="none" stroke="${l.accent}" stroke-width="6"/>`;
}

function fringe(x0: number, x1: number, y: number, colour: string, len: number): string {
  let out = '';
  for (let x = x0; x <= x1; x += 14) out += `M${x} ${y} v${len} `;
  return `<path d="${out}" stroke="${colour}" stroke-width="5" stroke-linecap="round"/>`;
}

function scarf(l: Look, kind: string): string {
  const w = kind === 'shawl' || kind === 'wrap' ? 300 : 200;
  const patterned = (d: string) => `<path d="${d}" fill="${l.main}"/>${l.pattern ? `<path d="${d}" fill="url(#${l.pattern})"/>` : ''}`;
  if (kind === 'snood') {
    return `${shadow(230, 120)}<ellipse cx="0" cy="0" rx="230" ry="120" fill="${shade(l.main, -0.25)}"/>${patterned('M-230 0 A230 120 0 0 1 230 0 L230 60 A230 120 0 0 1 -230 60 Z')}<ellipse cx="0" cy="0" rx="150" ry="62" fill="${shade(l.main, -0.35)}"/>`;
  }
  // Flat-lay: a long length folded once, both fringed ends at the bottom.
  const back = `M${-w / 2 - 40} -260 h${w} v500 h${-w} Z`;
  const front = `M${-w / 2 + 40} -300 h${w} v520 h${-w} Z`;
  return `${patterned(back)}<rect x="${-w / 2 - 40}" y="-260" width="${w}" height="500" fill="#000" fill-opacity=".12"/>${fringe(-w / 2 - 34, w / 2 - 46, 242, l.main, 40)}${patterned(front)}${fringe(-w / 2 + 46, w / 2 + 34, 222, l.main, 44)}`;
}

function blanket(l: Look, kind: string): string {
  const w = kind === 'baby blanket' ? 340 : 440;
  const fold = (y: number, h: number, dark: number) => {
    const d = `M${-w / 2} ${y} h${w} q14 ${h / 2} 0 ${h} h${-w} q-14 ${-h / 2} 0 ${-h} Z`;
    return `<path d="${d}" fill="${shade(l.main, dark)}"/>${l.pattern ? `<path d="${d}" fill="url(#${l.pattern})"/>` : ''}`;
  };
  const layers = kind === 'picnic blanket' ? 2 : 3;
  let out = shadow(w * 0.6);
  for (let i = 0; i < layers; i++) out += fold(-(i + 1) * 80, 80, -0.12 * (layers - 1 - i));
  return `${out}${fringe(-w / 2 + 10, w / 2 - 10, 0, shade(l.main, -0.1), 22)}`;
}

function cushion(l: Look, kind: string): string {
  const fillP = (d: string) => `<path d="${d}" fill="${l.main}"/>${l.pattern ? `<path d="${d}" fill="url(#${l.pattern})"/>` : ''}`;
  if (kind === 'bolster') {
    return `${shadow(240)}${fillP('M-220 -170 h440 a60 85 0 0 1 0 170 h-440 a60 85 0 0 1 0 -170 Z')}<ellipse cx="-220" cy="-85" rx="60" ry="85" fill="${shade(l.main, -0.2)}"/><circle cx="-220" cy="-85" r="12" fill="${l.accent}"/>`;
  }
  const s = kind === 'floor cushion' ? 220 : 170;
  const h = kind === 'floor cushion' ? 150 : 2 * s;
  const d = `M${-s} ${-h} Q0 ${-h + 30} ${s} ${-h} Q${s - 30} ${-h / 2} ${s} 0 Q0 -30 ${-s} 0 Q${-s + 30} ${-h / 2} ${-s} ${-h} Z`;
  return `${shadow(s * 1.05)}${fillP(d)}<path d="${d}" fill="none" stroke="${shade(l.main, -0.3)}" stroke-width="6"/>`;
}

function gem(x: number, y: number, r: number, colour: string, metal: string): string {
  return `<circle cx="${x}" cy="${y}" r="${r + 7}" fill="${metal}"/><circle cx="${x}" cy="${y}" r="${r}" fill="${colour}"/><circle cx="${f1(x - r * 0.35)}" cy="${f1(y - r * 0.35)}" r="${f1(r * 0.28)}" fill="#fff" fill-opacity=".7"/>`;
}

function ring(l: Look, kind: string): string {
  const band = (cx: number, cy: number, rx: number, thick: number) =>
    `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${f1(rx * 0.45)}" fill="none" stroke="${shade(l.main, -0.25)}" stroke-width="${thick}" transform="translate(0 6)"/><ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${f1(rx * 0.45)}" fill="none" stroke="${l.main}" stroke-width="${thick}"/>`;
  if (kind === 'stacking ring') {
    return `${shadow(200, 110)}${band(0, 40, 160, 14)}${band(0, 0, 160, 14)}${band(0, -40, 160, 14)}${l.stone ? gem(0, -112, 16, l.stone, l.main) : ''}`;
  }
  if (kind === 'signet ring') {
    return `${shadow(200, 110)}${band(0, 20, 170, 30)}<ellipse cx="0" cy="-62" rx="80" ry="50" fill="${shade(l.main, -0.2)}"/><ellipse cx="0" cy="-70" rx="72" ry="44" fill="${l.main}"/>${l.stone ? gem(0, -70, 24, l.stone, l.main) : `<path d="M-30 -70 h60" stroke="${shade(l.main, -0.35)}" stroke-width="6"/>`}`;
  }
  return `${shadow(200, 110)}${band(0, 20, 170, kind === 'band' ? 40 : 24)}${l.stone && kind !== 'band' ? gem(0, -60, 34, l.stone, l.main) : ''}`;
}

function necklace(l: Look, kind: string): string {
  const chain = `<path d="M-240 -300 C-240 40 240 40 240 -300" stroke="${l.main}" stroke-width="${kind === 'chain' ? 14 : 8}" stroke-dasharray="${kind === 'chain' ? '22 8' : '10 6'}" fill="none" stroke-linecap="round"/>`;
  let charm = '';
  if (kind === 'locket')
    charm = `<ellipse cx="0" cy="${f1(-45 + 70)}" rx="62" ry="78" fill="${l.main}"/><ellipse cx="0" cy="25" rx="48" ry="62" fill="none" stroke="${shade(l.main, -0.3)}" stroke-width="4"/>`;
  else if (kind !== 'chain')
    charm = l.stone
      ? `<path d="M0 -20 v20" stroke="${l.main}" stroke-width="6"/>${gem(0, 40, kind === 'pendant' ? 44 : 30, l.stone, l.main)}`
      : `<circle cx="0" cy="40" r="40" fill="none" stroke="${l.main}" stroke-width="14"/>`;
  return `${chain}${charm}`;
}

function earrings(l: Look, kind: string): string {
  const one = (x: number) => {
    if (kind === 'hoops')
      return `<circle cx="${x}" cy="0" r="110" fill="none" stroke="${shade(l.main, -0.25)}" stroke-width="16" transform="translate(4 6)"/><circle cx="${x}" cy="0" r="110" fill="none" stroke="${l.main}" stroke-width="16"/>`;
    if (kind === 'stud earrings') return gem(x, 0, 44, l.stone ?? l.main, l.main);
    if (kind === 'ear climbers') {
      let dots = '';
      for (let i = 0; i < 6; i++) dots += gem(x - 60 + i * 24, -100 + i * 40 - i * i * 3, 10, l.stone ?? l.main, l.main);
      return `<path d="M${x - 60} -100 Q${x + 40} -40 ${x + 60} 110" stroke="${l.main}" stroke-width="10" fill="none"/>${dots}`;
    }
    return `<path d="M${x} -170 q-40 0 -40 40 q0 30 40 40" stroke="${l.main}" stroke-width="7" fill="none"/><path d="M${x} -90 v30" stroke="${l.main}" stroke-width="7"/><path d="M${x} -60 q60 80 0 150 q-60 -70 0 -150 Z" fill="${l.stone ?? l.main}" stroke="${l.main}" stroke-width="8"/>`;
  };
  return `${one(-130)}${one(130)}`;
}

function board(l: Look, kind: string): string {
  const grain = shade(l.main, -0.35);
  const body =
    kind === 'cheese board'
      ? `<circle cx="0" cy="0" r="230" fill="${l.main}"/><rect x="-40" y="210" width="80" height="120" rx="30" fill="${l.main}"/>`
      : `<rect x="-170" y="-270" width="340" height="480" rx="${kind === 'bread board' ? 20 : 50}" fill="${l.main}"/>${kind === 'chopping board' ? '' : `<rect x="-50" y="190" width="100" height="130" rx="40" fill="${l.main}"/><circle cx="0" cy="285" r="18" fill="${shade(l.main, -0.5)}" fill-opacity=".5"/>`}`;
  let lines = '';
  for (let i = 0; i < 9; i++) {
    const x = -150 + i * 38 + (l.r.next() - 0.5) * 14;
    lines += `<path d="M${f1(x)} -240 q${f1((l.r.next() - 0.5) * 40)} 220 ${f1((l.r.next() - 0.5) * 16)} 440" stroke="${grain}" stroke-opacity=".35" stroke-width="3" fill="none"/>`;
  }
  const clip = `<clipPath id="b"><circle cx="0" cy="0" r="225"/><rect x="-165" y="-265" width="330" height="470" rx="40"/></clipPath>`;
  return `<defs>${clip}</defs><g transform="translate(14 18)" fill-opacity=".15">${body.replaceAll(l.main, '#000')}</g>${body}<g clip-path="url(#b)">${lines}</g>`;
}

function spoon(l: Look, kind: string): string {
  const dark = shade(l.main, -0.3);
  const one = (dx: number, rot: number, bowl: 'spoon' | 'fork' | 'flat' | 'scoop', length: number) => {
    const head =
      bowl === 'flat'
        ? `<rect x="-55" y="-${length / 2 + 130}" width="110" height="150" rx="30" fill="${l.main}"/>`
        : bowl === 'scoop'
          ? `<circle cx="0" cy="-${length / 2 + 40}" r="70" fill="${l.main}"/><circle cx="0" cy="-${length / 2 + 40}" r="50" fill="${dark}" fill-opacity=".5"/>`
          : `<ellipse cx="0" cy="-${length / 2 + 60}" rx="62" ry="95" fill="${l.main}"/>${bowl === 'fork' ? `<path d="M-20 -${length / 2 + 130} v90 M20 -${length / 2 + 130} v90" stroke="${l.accent}" stroke-width="12" stroke-linecap="round"/>` : `<ellipse cx="0" cy="-${length / 2 + 55}" rx="46" ry="75" fill="${dark}" fill-opacity=".35"/>`}`;
    return `<g transform="translate(${dx} 40) rotate(${rot})"><rect x="-16" y="-${length / 2}" width="32" height="${length}" rx="16" fill="${l.main}"/>${head}</g>`;
  };
  switch (kind) {
    case 'salad servers':
      return `${one(-80, -8, 'spoon', 380)}${one(80, 8, 'fork', 380)}`;
    case 'spatula':
      return one(0, 12, 'flat', 380);
    case 'coffee scoop':
      return one(0, 20, 'scoop', 220);
    case 'eating spoon':
      return one(0, 18, 'spoon', 300);
    default:
      return one(0, 18, 'spoon', 400);
  }
}

function leatherGoods(l: Look, kind: string): string {
  const stitch = shade(l.main, 0.55);
  const piece = (x: number, y: number, w: number, h: number, rx: number) =>
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}" fill="${l.main}"/><rect x="${x + 14}" y="${y + 14}" width="${w - 28}" height="${h - 28}" rx="${Math.max(0, rx - 8)}" fill="none" stroke="${stitch}" stroke-width="4" stroke-dasharray="12 8"/>`;
  switch (kind) {
    case 'card holder':
      return `<rect x="-110" y="-200" width="220" height="140" rx="10" fill="${l.accent}" transform="rotate(-6)"/>${piece(-150, -120, 300, 220, 18)}`;
    case 'coin purse':
      return `<path d="M-170 -60 Q-170 160 0 160 Q170 160 170 -60 Z" fill="${l.main}"/><path d="M-170 -60 H170" stroke="${shade(l.main, -0.3)}" stroke-width="18"/><circle cx="150" cy="-60" r="16" fill="#c9a24a"/>`;
    case 'passport cover':
      return `${piece(-150, -220, 300, 430, 16)}<circle cx="0" cy="-20" r="56" fill="none" stroke="${stitch}" stroke-width="6"/>`;
    default:
      return `${piece(-220, -140, 440, 280, 20)}<path d="M0 -140 V140" stroke="${shade(l.main, -0.3)}" stroke-width="8"/>`;
  }
}

function bag(l: Look, kind: string): string {
  const dark = shade(l.main, -0.3);
  const stitch = shade(l.main, 0.5);
  switch (kind) {
    case 'satchel':
      return `${shadow(230)}<path d="M-120 -300 Q0 -420 120 -300" stroke="${dark}" stroke-width="22" fill="none"/><rect x="-220" y="-300" width="440" height="300" rx="30" fill="${l.main}"/><path d="M-220 -300 h440 v150 q-220 40 -440 0 Z" fill="${dark}"/><rect x="-110" y="-170" width="40" height="90" rx="6" fill="#c9a24a"/><rect x="70" y="-170" width="40" height="90" rx="6" fill="#c9a24a"/>`;
    case 'crossbody bag':
      return `${shadow(180)}<path d="M-150 -200 L-30 -520 L30 -520 L150 -200" stroke="${dark}" stroke-width="16" fill="none"/><rect x="-180" y="-240" width="360" height="240" rx="80" fill="${l.main}"/><path d="M-180 -160 Q0 -120 180 -160" stroke="${stitch}" stroke-width="4" stroke-dasharray="10 8" fill="none"/>`;
    case 'weekender':
      return `${shadow(300)}<path d="M-120 -250 Q0 -400 120 -250" stroke="${dark}" stroke-width="24" fill="none"/><rect x="-300" y="-260" width="600" height="260" rx="120" fill="${l.main}"/><path d="M-280 -250 H280" stroke="${stitch}" stroke-width="5" stroke-dasharray="14 8"/><rect x="-300" y="-180" width="60" height="110" rx="20" fill="${dark}"/><rect x="240" y="-180" width="60" height="110" rx="20" fill="${dark}"/>`;
    default:
      return `${shadow(230)}<path d="M-110 -380 Q-110 -520 0 -520 Q110 -520 110 -380" stroke="${dark}" stroke-width="22" fill="none"/><path d="M-200 -380 H200 L230 0 H-230 Z" fill="${l.main}"/><path d="M-190 -350 H190" stroke="${stitch}" stroke-width="4" stroke-dasharray="12 8"/>`;
  }
}

function belt(l: Look, kind: string): string {
  const metal = '#c9a24a';
  if (kind === 'dog collar') {
    return `<circle cx="0" cy="0" r="200" fill="none" stroke="${l.main}" stroke-width="70"/><circle cx="0" cy="0" r="200" fill="none" stroke="${shade(l.main, 0.5)}" stroke-width="4" stroke-dasharray="12 8"/><path d="M-40 230 h80 a40 40 0 0 1 -80 0 Z" fill="none" stroke="${metal}" stroke-width="12"/>`;
  }
  const w = kind === 'watch strap' ? 60 : 90;
  const len = kind === 'watch strap' ? 520 : 640;
  let holes = '';
  for (let i = 0; i < 5; i++) holes += `<circle cx="${len / 2 - 60 - i * 40}" cy="0" r="7" fill="${shade(l.main, -0.5)}"/>`;
  return `<g transform="rotate(-28)"><rect x="${-len / 2}" y="${-w / 2}" width="${len}" height="${w}" rx="${w / 2}" fill="${l.main}"/><path d="M${-len / 2 + 30} ${-w / 2 + 12} H${len / 2 - 30} M${-len / 2 + 30} ${w / 2 - 12} H${len / 2 - 30}" stroke="${shade(l.main, 0.5)}" stroke-width="3" stroke-dasharray="10 7"/>${holes}<rect x="${-len / 2 + 20}" y="${-w / 2 - 18}" width="${w * 0.8}" height="${w + 36}" rx="14" fill="none" stroke="${metal}" stroke-width="14"/></g>`;
}

/** A landscape for prints, cards and notebooks, after the subject's words, in the inks. */
function scene(l: Look, x: number, y: number, w: number, h: number, id: string): string {
  const [a, b = shade(a, 0.45), c = b] = l.inks as [string, string?, string?];
  const s = l.subject;
  const px = (f: number) => f1(x + f * w);
  const py = (f: number) => f1(y + f * h);
  let art = `<circle cx="${px(0.72)}" cy="${py(0.28)}" r="${f1(w * 0.12)}" fill="${c}" fill-opacity=".8"/>`;
  const sea = /harbour|lighthouse|sea|heron/.test(s);
  if (sea)
    art += `<rect x="${x}" y="${py(0.62)}" width="${w}" height="${f1(h * 0.38)}" fill="${a}"/><path d="M${x} ${py(0.7)} h${w} M${x} ${py(0.8)} h${w}" stroke="${b}" stroke-width="4" stroke-dasharray="30 16"/>`;
  else
    art += `<path d="M${x} ${py(0.7)} Q${px(0.3)} ${py(0.45)} ${px(0.6)} ${py(0.62)} T${px(1)} ${py(0.55)} V${py(1)} H${x} Z" fill="${a}"/><path d="M${x} ${py(0.85)} Q${px(0.5)} ${py(0.68)} ${px(1)} ${py(0.82)} V${py(1)} H${x} Z" fill="${b}"/>`;
  if (/lighthouse/.test(s))
    art += `<path d="M${px(0.3)} ${py(0.62)} L${px(0.34)} ${py(0.25)} H${px(0.4)} L${px(0.44)} ${py(0.62)} Z" fill="${b}"/><rect x="${px(0.335)}" y="${py(0.2)}" width="${f1(w * 0.07)}" height="${f1(h * 0.06)}" fill="${c}"/>`;
  if (/harbour/.test(s))
    art += `<path d="M${px(0.2)} ${py(0.6)} h${f1(w * 0.2)} l${f1(-w * 0.03)} ${f1(h * 0.05)} h${f1(-w * 0.14)} Z M${px(0.3)} ${py(0.6)} v${f1(-h * 0.2)} l${f1(w * 0.08)} ${f1(h * 0.17)} Z" fill="${b}"/>`;
  if (/heron/.test(s))
    art += `<path d="M${px(0.4)} ${py(0.66)} V${py(0.5)} M${px(0.43)} ${py(0.66)} V${py(0.5)}" stroke="${b}" stroke-width="4"/><path d="M${px(0.36)} ${py(0.5)} Q${px(0.42)} ${py(0.38)} ${px(0.48)} ${py(0.46)} Q${px(0.5)} ${py(0.3)} ${px(0.47)} ${py(0.25)} l${f1(w * 0.08)} ${f1(h * 0.02)} Q${px(0.45)} ${py(0.3)} ${px(0.5)} ${py(0.48)} Q${px(0.45)} ${py(0.55)} ${px(0.36)} ${py(0.5)} Z" fill="${b}"/>`;
  if (/starlings|heron|hares/.test(s)) {
    for (let i = 0; i < (/starlings/.test(s) ? 14 : 3); i++) {
      const bx = x + (0.1 + l.r.next() * 0.8) * w;
      const by = y + (0.1 + l.r.next() * 0.3) * h;
      art += `<path d="M${f1(bx)} ${f1(by)} q${f1(w * 0.025)} ${f1(-h * 0.02)} ${f1(w * 0.05)} 0 q${f1(w * 0.025)} ${f1(-h * 0.02)} ${f1(w * 0.05)} 0" stroke="${b}" stroke-width="3" fill="none"/>`;
    }
  }
  if (/hares/.test(s)) {
    for (const hx of [0.3, 0.55])
      art += `<ellipse cx="${px(hx)}" cy="${py(0.72)}" rx="${f1(w * 0.08)}" ry="${f1(h * 0.045)}" fill="${c}"/><circle cx="${px(hx + 0.07)}" cy="${py(0.66)}" r="${f1(w * 0.03)}" fill="${c}"/><path d="M${px(hx + 0.07)} ${py(0.64)} l${f1(w * 0.01)} ${f1(-h * 0.1)} M${px(hx + 0.08)} ${py(0.64)} l${f1(w * 0.03)} ${f1(-h * 0.09)}" stroke="${c}" stroke-width="6" stroke-linecap="round"/>`;
  }
  if (/hawthorn/.test(s))
    art += `<path d="M${px(0.45)} ${py(0.75)} V${py(0.45)} M${px(0.45)} ${py(0.55)} L${px(0.3)} ${py(0.35)} M${px(0.45)} ${py(0.5)} L${px(0.62)} ${py(0.3)}" stroke="${b}" stroke-width="6" fill="none"/>`;
  if (/fort/.test(s)) art += `<path d="M${x} ${py(0.5)} h${w}" stroke="#fff" stroke-opacity=".6" stroke-width="${f1(h * 0.05)}"/>`;
  if (/garlic|foxgloves|pinks/.test(s)) {
    for (let i = 0; i < 7; i++) {
      const fx = x + (0.08 + i * 0.14) * w;
      const top = y + (0.5 + l.r.next() * 0.15) * h;
      art += `<path d="M${f1(fx)} ${py(1)} V${f1(top)}" stroke="${b}" stroke-width="4"/>`;
      art += /foxgloves/.test(s)
        ? `<path d="M${f1(fx)} ${f1(top)} l-8 30 l16 0 Z M${f1(fx)} ${f1(top + 30)} l-10 30 l20 0 Z" fill="${c}"/>`
        : `<circle cx="${f1(fx)}" cy="${f1(top)}" r="${f1(w * 0.025)}" fill="${/garlic/.test(s) ? '#fff' : c}"/>`;
    }
  }
  return `<defs><clipPath id="${id}"><rect x="${x}" y="${y}" width="${w}" height="${h}"/></clipPath></defs><g clip-path="url(#${id})">${art}</g>`;
}

function paper(l: Look, kind: string): string {
  const cream = '#fbf8f1';
  switch (kind) {
    case 'notebook':
      return `<rect x="-175" y="-245" width="360" height="500" rx="14" fill="#000" fill-opacity=".12"/><rect x="-190" y="-260" width="360" height="500" rx="14" fill="${l.inks[0]}"/>${scene(l, -150, -200, 280, 250, 'n')}<rect x="110" y="-260" width="18" height="500" fill="${shade(l.inks[0]!, -0.4)}"/>`;
    case 'wrapping paper': {
      let motif = '';
      for (let i = 0; i < 16; i++)
        motif += `<circle cx="${-220 + (i % 4) * 120 + (Math.floor(i / 4) % 2) * 60}" cy="${-200 + Math.floor(i / 4) * 110}" r="22" fill="${l.inks[i % l.inks.length]}"/>`;
      return `<rect x="-260" y="-260" width="480" height="460" fill="${cream}"/>${motif}<rect x="-280" y="200" width="560" height="90" rx="45" fill="${cream}" stroke="${shade(cream, -0.15)}" stroke-width="4"/><ellipse cx="-280" cy="245" rx="20" ry="45" fill="${shade(cream, -0.1)}"/>`;
    }
    case 'greetings card set':
    case 'postcard set': {
      const [w, h] = kind === 'postcard set' ? [360, 240] : [260, 360];
      let out = '';
      for (const [i, rot] of [-10, 4, -2].entries()) {
        out += `<g transform="translate(${(i - 1) * 60} ${(i - 1) * 30}) rotate(${rot})"><rect x="${-w / 2}" y="${-h / 2}" width="${w}" height="${h}" fill="${cream}" stroke="${shade(cream, -0.12)}" stroke-width="3"/>${scene(l, -w / 2 + 18, -h / 2 + 18, w - 36, h - 36, `c${i}`)}</g>`;
      }
      return out;
    }
    default: {
      const framed = kind === 'limited edition print';
      const frame = framed
        ? `<rect x="-250" y="-320" width="500" height="640" fill="${shade(l.accent, -0.2)}"/>`
        : `<rect x="-222" y="-292" width="460" height="600" fill="#000" fill-opacity=".1"/>`;
      return `${frame}<rect x="-230" y="-300" width="460" height="600" fill="${cream}"/>${scene(l, -190, -260, 380, 440, 'p')}<path d="M-190 230 h70 M110 230 h80" stroke="#888" stroke-width="3"/>`;
    }
  }
}

function glass(l: Look, kind: string): string {
  const tint = l.main;
  const hi = `<path d="M-40 -300 v200" stroke="#fff" stroke-opacity=".55" stroke-width="12" stroke-linecap="round"/>`;
  switch (kind) {
    case 'wine glass':
      return `${shadow(120)}<ellipse cx="0" cy="-6" rx="110" ry="20" fill="${tint}" fill-opacity=".5"/><rect x="-9" y="-230" width="18" height="225" fill="${tint}" fill-opacity=".6"/>${lathe(
        [
          [125, -520],
          [125, -420],
          [90, -280],
          [15, -225],
        ],
        tint,
        { rim: shade(tint, 0.4), opacity: 0.5 },
      )}<path d="M-80 -480 q-15 100 20 180" stroke="#fff" stroke-opacity=".55" stroke-width="10" fill="none" stroke-linecap="round"/>`;
    case 'carafe':
      return `${shadow(160)}${lathe(
        [
          [55, -480],
          [45, -400],
          [70, -300],
          [160, -160],
          [150, -40],
          [110, 0],
        ],
        tint,
        { rim: shade(tint, 0.4), opacity: 0.5 },
      )}${hi}`;
    case 'paperweight':
      return `${shadow(180)}<path d="M-180 0 A180 170 0 0 1 180 0 Z" fill="${tint}" fill-opacity=".65"/><path d="M-100 -20 C-60 -160 60 -160 100 -20" stroke="${shade(tint, -0.35)}" stroke-width="18" fill="none"/><path d="M-110 -110 q30 -40 70 -50" stroke="#fff" stroke-opacity=".6" stroke-width="12" fill="none" stroke-linecap="round"/>`;
    case 'suncatcher':
      return `<path d="M0 -400 V-200" stroke="#888" stroke-width="3"/><circle cx="0" cy="0" r="200" fill="${tint}" fill-opacity=".6" stroke="${shade(tint, -0.3)}" stroke-width="10"/><path d="M0 -200 V200 M-200 0 H200 M-141 -141 L141 141 M141 -141 L-141 141" stroke="${shade(tint, -0.3)}" stroke-width="6"/><circle cx="-70" cy="-90" r="30" fill="#fff" fill-opacity=".45"/>`;
    case 'bud vase':
      return vase(l, 'bud vase', 0.6);
    case 'bowl':
      return bowl(l, 420, 200, 0.6);
    default: {
      // tumbler, water glass
      const h = kind === 'water glass' ? 360 : 280;
      return `${shadow(130)}${lathe(
        [
          [130, -h],
          [120, -h / 2],
          [105, 0],
        ],
        tint,
        { rim: shade(tint, 0.4), opacity: 0.5 },
      )}<rect x="-105" y="-60" width="210" height="60" fill="${tint}" fill-opacity=".4"/><path d="M-70 ${-h + 40} v${h - 110}" stroke="#fff" stroke-opacity=".55" stroke-width="12" stroke-linecap="round"/>`;
    }
  }
}

function drawObject(craft: string, object: string, l: Look): Drawing {
  const stand = (size: number, svg: string): Drawing => ({ standing: true, svg, size });
  const flat = (size: number, svg: string): Drawing => ({ standing: false, svg, size });
  switch (craft) {
    case 'ceramics':
      if (object === 'mug') return stand(360, cup(l, 260, 300, true));
      if (object === 'espresso cup') return stand(280, cup(l, 190, 170, true));
      if (object === 'beaker') return stand(340, cup(l, 220, 340, false));
      if (object === 'tea bowl') return stand(340, cup(l, 330, 230, false));
      if (object === 'nesting bowls')
        return stand(
          620,
          `<g transform="translate(-150 0) scale(.6)">${bowl(l, 420, 200)}</g><g transform="translate(180 0) scale(.8)">${bowl(l, 420, 200)}</g>${bowl(l, 420, 200)}`,
        );
      if (object.endsWith('bowl')) return stand(500, bowl(l, object === 'noodle bowl' ? 420 : 500, object === 'noodle bowl' ? 260 : 230));
      if (object in VASES) return stand(object === 'bud vase' ? 330 : 400, vase(l, object));
      if (object === 'side plate') return flat(400, plate(l, 200, 110, false));
      if (object === 'platter') return flat(640, plate(l, 320, 110, false));
      return flat(540, plate(l, 270, object === 'dish' ? 120 : 110, object === 'dish'));
    case 'textiles':
      if (['blanket', 'throw', 'picnic blanket', 'baby blanket'].includes(object))
        return stand(object === 'baby blanket' ? 400 : 480, blanket(l, object));
      if (object === 'bolster') return stand(560, cushion(l, object));
      if (['cushion cover', 'floor cushion'].includes(object)) return stand(object === 'floor cushion' ? 440 : 360, cushion(l, object));
      return flat(object === 'snood' ? 480 : 600, scarf(l, object));
    case 'jewellery':
      if ((object.includes('ring') && !object.includes('earring')) || object === 'band') return flat(400, ring(l, object));
      if (['necklace', 'pendant', 'locket', 'chain'].includes(object)) return flat(480, necklace(l, object));
      return flat(object === 'stud earrings' ? 420 : 500, earrings(l, object));
    case 'woodwork':
      if (object.endsWith('board')) return flat(620, board(l, object));
      if (object.includes('bowl') || object === 'trinket dish') {
        const [w, h] = object === 'trinket dish' ? [300, 110] : [480, 220];
        return stand(w < 400 ? 360 : 480, `${bowl(l, w, h)}${grainArcs(l.r, w * 0.6, h * 0.6, -h * 0.8, shade(l.main, -0.4))}`);
      }
      return flat(object === 'coffee scoop' ? 420 : 580, spoon(l, object));
    case 'leather':
      if (['tote bag', 'satchel', 'crossbody bag', 'weekender'].includes(object))
        return stand(object === 'weekender' ? 600 : 540, bag(l, object));
      if (['belt', 'watch strap', 'dog collar'].includes(object)) return flat(object === 'dog collar' ? 480 : 600, belt(l, object));
      return flat(object === 'passport cover' ? 440 : 440, leatherGoods(l, object));
    case 'prints':
      return flat(object === 'wrapping paper' ? 560 : 640, paper(l, object));
    case 'glass':
      if (object === 'wine glass' || object === 'carafe') return stand(500, glass(l, object));
      if (object === 'suncatcher') return flat(600, `<g transform="translate(0 100)">${glass(l, object)}</g>`);
      if (object === 'bud vase') return stand(330, glass(l, object));
      if (object === 'bowl') return stand(440, glass(l, object));
      return stand(object === 'paperweight' ? 380 : 360, glass(l, object));
    default:
      return stand(400, vase(l, 'vase'));
  }
}

// ---------------------------------------------------------------------------------------------
// What the words say, in colours and in words for the alt text

type Described = Readonly<{ look: Omit<Look, 'r'>; phrase: string; detail: string; detailKey: string }>;

function describe(subject: PictureSubject): Described {
  const w = (key: string) => subject.words.get(key);
  const base = { main: '#b9b2a1', accent: '#d8c29c', pattern: null, speckled: false, stone: null, inks: ['#2f3f73'], subject: '' };
  switch (subject.craft) {
    case 'ceramics': {
      const glaze = w('glaze') ?? 'chalk white';
      const clay = w('material');
      const main = colourOf('ceramics', glaze) ?? base.main;
      return {
        look: { ...base, main, accent: clay ? (COLOURS[clay] ?? base.accent) : shade(main, -0.25), speckled: glaze.startsWith('speckled') },
        phrase: clay ? `in ${glaze} glaze over ${clay}` : `in ${glaze} glaze`,
        detail: clay ? `the ${glaze} glaze where it breaks over the ${clay}` : `the ${glaze} glaze`,
        detailKey: `${glaze}|${clay ?? ''}`,
      };
    }
    case 'textiles': {
      const colour = w('colour') ?? 'oatmeal';
      const pattern = w('pattern') ?? null;
      const main = colourOf('textiles', colour) ?? base.main;
      return {
        look: { ...base, main, accent: shade(main, -0.3), pattern },
        phrase: pattern ? `in ${colour} ${pattern}` : `in ${colour}`,
        detail: pattern ? `the ${colour} ${pattern}${pattern.endsWith('weave') ? '' : ' weave'}` : `the ${colour} weave`,
        detailKey: `${colour}|${pattern ?? ''}`,
      };
    }
    case 'jewellery': {
      const metal = w('material') ?? 'sterling silver';
      // Hoops, chains, lockets and bands are drawn in plain metal, so their alt text names no stone.
      const stone = ['hoops', 'chain', 'locket', 'band'].includes(subject.object) ? null : (w('stone') ?? null);
      return {
        look: { ...base, main: colourOf('jewellery', metal) ?? base.main, stone: stone ? (COLOURS[stone] ?? null) : null },
        phrase: stone ? `in ${metal} with ${an(stone)}` : `in ${metal}`,
        detail: stone ? `${an(stone)} set in ${metal}` : `the surface of the ${metal}`,
        detailKey: `${metal}|${stone ?? ''}`,
      };
    }
    case 'woodwork': {
      const wood = w('wood') ?? 'oak';
      const main = colourOf('woodwork', wood) ?? base.main;
      return {
        look: { ...base, main, accent: shade(main, -0.3) },
        phrase: `in ${wood}`,
        detail: `the grain of the ${wood}`,
        detailKey: wood,
      };
    }
    case 'leather': {
      const colour = w('colour') ?? 'tan';
      const main = colourOf('leather', colour) ?? base.main;
      return {
        look: { ...base, main, accent: '#f4efe6' },
        phrase: `in ${colour} leather`,
        detail: `the stitching on the ${colour} leather`,
        detailKey: colour,
      };
    }
    case 'prints': {
      const colours = w('colours') ?? 'indigo';
      const subjectWords = w('subject') ?? 'rolling hills';
      return {
        look: { ...base, inks: INKS[colours] ?? base.inks, subject: subjectWords, accent: '#7a5230' },
        phrase:
          subject.object === 'wrapping paper'
            ? `printed with dots in ${colours === 'indigo' ? 'indigo' : colours}`
            : `showing ${subjectWords} in ${colours === 'indigo' ? 'indigo ink' : colours}`,
        detail: `the printed ink, in ${colours === 'indigo' ? 'indigo' : colours}`,
        detailKey: colours,
      };
    }
    case 'glass': {
      const colour = w('colour') ?? 'clear';
      const main = colourOf('glass', colour) ?? base.main;
      return {
        look: { ...base, main },
        phrase: colour === 'clear' ? 'in clear glass' : `in ${colour} glass`,
        detail: `${colour} glass with its small bubbles`,
        detailKey: colour,
      };
    }
    default:
      return { look: base, phrase: '', detail: 'the material', detailKey: subject.craft };
  }
}

/** The word that gives a picture its main colour, per craft. */
const MAIN_WORD: Readonly<Record<string, string>> = {
  ceramics: 'glaze',
  textiles: 'colour',
  jewellery: 'material',
  woodwork: 'wood',
  leather: 'colour',
  prints: 'colours',
  glass: 'colour',
};

/**
 * Colour families for shared pictures: each main word of a craft to a broader name and that name's
 * colour ("cobalt" glaze is drawn, and described, as "blue"). Prints keep their six ink sets.
 */
type Family = readonly [label: string, hex: string];
const families = (...groups: ReadonlyArray<readonly [words: readonly string[], label: string, hex: string]>): Record<string, Family> => {
  const out: Record<string, Family> = {};
  for (const [words, label, hex] of groups) for (const w of words) out[w] = [label, hex];
  return out;
};
const FAMILIES: Readonly<Record<string, Readonly<Record<string, Family>>>> = {
  ceramics: families(
    [['chalk white', 'speckled oatmeal', 'ash'], 'pale', '#ece6da'],
    [['celadon', 'sea-green', 'moss'], 'green', '#86ab93'],
    [['cobalt'], 'blue', '#2c4f9e'],
    [['tenmoku', 'iron red', 'honey'], 'brown', '#8a4a26'],
  ),
  textiles: families(
    [['oatmeal', 'undyed cream'], 'natural cream', '#e3d7bf'],
    [['indigo', 'charcoal', 'heather'], 'dark blue-grey', '#3a4260'],
    [['moss', 'sea-glass'], 'green', '#7a9a72'],
    [['rust', 'saffron', 'madder red'], 'warm red', '#a9462d'],
  ),
  jewellery: families(
    [['sterling silver', 'recycled silver'], 'silver', '#c3c7cc'],
    [['9ct gold', 'brass'], 'gold-coloured metal', '#cfa541'],
    [['rose gold', 'copper'], 'copper-coloured metal', '#c7835f'],
  ),
  woodwork: families(
    [['ash', 'sycamore', 'birch'], 'pale wood', '#e3d2ad'],
    [['oak', 'olive wood', 'elm'], 'mid-brown wood', '#b08a5e'],
    [['cherry', 'walnut'], 'dark wood', '#6e3f25'],
  ),
  leather: families(
    [['black', 'navy', 'oxblood'], 'dark', '#2e2628'],
    [['chestnut', 'tan', 'natural'], 'brown', '#9a6238'],
    [['olive'], 'olive', '#5f603a'],
  ),
  glass: families(
    [['clear', 'smoke'], 'pale grey', '#c9d2d8'],
    [['amber', 'peach'], 'amber', '#d8953f'],
    [['sea green', 'olive'], 'green', '#8fb38a'],
    [['cobalt'], 'blue', '#3560b8'],
  ),
};

/** The colour of a word in a craft, the family names (FAMILIES) included. */
function colourOf(craft: string, word: string): string | undefined {
  for (const [label, hex] of Object.values(FAMILIES[craft] ?? {})) if (label === word) return hex;
  if (craft === 'woodwork' && word === 'ash') return WOOD_ASH;
  if (craft === 'glass' && word === 'olive') return GLASS_OLIVE;
  if (craft === 'glass' && word === 'cobalt') return GLASS_COBALT;
  return COLOURS[word];
}

/**
 * The subject reduced to its main colour's family, for pictures shared by many products of a large
 * seed: the picture and its alt text then say less than the title (blue for cobalt, no stone, no
 * pattern), never something else.
 */
function familyOnly(subject: PictureSubject): PictureSubject {
  const key = MAIN_WORD[subject.craft];
  const word = key === undefined ? undefined : subject.words.get(key);
  if (key === undefined || word === undefined) return { ...subject, words: new Map() };
  return { ...subject, words: new Map([[key, FAMILIES[subject.craft]?.[word]?.[0] ?? word]]) };
}

const plural = (o: string) => /[^s]s$/.test(o);
const an = (phrase: string) => (plural(phrase) || phrase.endsWith('paper') ? phrase : `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`);

// ---------------------------------------------------------------------------------------------
// The pictures

/**
 * The product's main picture: the object, in its colours, placed by `compositionSeed` (backdrop,
 * position, size, a halo or a sprig). Two products with the same subject words and composition
 * seed share a key and a picture.
 */
export function productPicture(full: PictureSubject, composition: number | 'shared'): DemoPicture {
  const subject = composition === 'shared' ? familyOnly(full) : full;
  const d = describe(subject);
  const base = `${subject.craft}|${subject.object}|${d.detailKey}|${subject.words.get('subject') ?? ''}`;
  const compositionSeed = composition === 'shared' ? hashSeed(base) : composition;
  const r = rngFrom(compositionSeed);
  const backdrop = r.pick(BACKDROPS);
  const key = `product|${base}|${compositionSeed}`;
  const alt = `Drawing of ${an(subject.object)} ${d.phrase}, on a ${backdrop.name} background`;
  return {
    key,
    alt: alt.charAt(0).toUpperCase() + alt.slice(1),
    svg: () => {
      const S = PICTURE_SIZE;
      const look: Look = { ...d.look, r };
      const defs = look.pattern ? patternDef('w', look.pattern, shade(look.main, look.main === COLOURS['undyed cream'] ? -0.4 : 0.45)) : '';
      const drawing = drawObject(subject.craft, subject.object, { ...look, pattern: look.pattern ? 'w' : null });
      const scale = (S * (0.6 + r.next() * 0.14)) / drawing.size;
      const dx = (r.next() - 0.5) * 80;
      const horizon = drawing.standing ? Math.round(S * (0.6 + r.next() * 0.12)) : null;
      const baseY = drawing.standing ? Math.round((horizon ?? 0) + 50 + r.next() * 50) : S / 2 + 10;
      let decor = '';
      if (r.chance(0.5))
        decor += `<circle cx="${f1(S / 2 + dx + (r.next() - 0.5) * 200)}" cy="${f1(S * (0.3 + r.next() * 0.15))}" r="${f1(150 + r.next() * 120)}" fill="#fff" fill-opacity=".35"/>`;
      if (r.chance(0.4)) {
        const sx = r.chance(0.5) ? 90 : S - 90;
        const sy = drawing.standing ? baseY : S - 110;
        decor += `<path d="M${sx} ${sy} q10 -80 -10 -150" stroke="#6f7d4e" stroke-width="5" fill="none"/><ellipse cx="${sx - 22}" cy="${sy - 90}" rx="22" ry="10" fill="#7f8f5a" transform="rotate(-30 ${sx - 22} ${sy - 90})"/><ellipse cx="${sx + 14}" cy="${sy - 120}" rx="20" ry="9" fill="#7f8f5a" transform="rotate(30 ${sx + 14} ${sy - 120})"/>`;
      }
      const body = `${decor}<g transform="translate(${f1(S / 2 + dx)} ${baseY}) scale(${scale.toFixed(3)})">${drawing.svg}</g>`;
      return svgDocument(backdrop, horizon, defs, body);
    },
  };
}

/**
 * A close-up of the material (glaze, weave, grain, stitching, ink, glass) in the product's colour
 * family: about 25 in all, shared by every product with a second image, since a close-up of cobalt
 * glaze looks like any other close-up of blue glaze.
 */
export function detailPicture(full: PictureSubject): DemoPicture {
  const subject = familyOnly(full);
  const d = describe(subject);
  const key = `detail|${subject.craft}|${d.detailKey}`;
  return {
    key,
    alt: `Close-up of ${d.detail}`,
    svg: () => {
      const S = PICTURE_SIZE;
      const r = rngFrom(hashSeed(key));
      const l = d.look;
      let body = '';
      let defs = '';
      switch (subject.craft) {
        case 'ceramics': {
          body = `<rect width="${S}" height="${S}" fill="${l.accent}"/><path d="M0 0 H${S} V${S * 0.55} ${Array.from({ length: 8 }, (_, i) => `Q${S - i * 100 - 50} ${f1(S * (0.6 + r.next() * 0.25))} ${S - (i + 1) * 100} ${f1(S * (0.5 + r.next() * 0.1))}`).join(' ')} Z" fill="${l.main}"/>`;
          if (l.speckled) body += `<g transform="translate(${S / 2} 0)">${speckles(r, S, S * 0.5, 0, '#5a4a3a')}</g>`;
          body += `<path d="M0 ${S * 0.12} Q${S / 2} ${S * 0.05} ${S} ${S * 0.14}" stroke="#fff" stroke-opacity=".25" stroke-width="30" fill="none"/>`;
          break;
        }
        case 'textiles':
          defs = patternDef('w', l.pattern ?? 'twill', shade(l.main, l.main === COLOURS['undyed cream'] ? -0.4 : 0.45)).replace(
            /width="(\d+)" height="(\d+)"/,
            (_m, a: string, b: string) => `width="${a}" height="${b}" patternTransform="scale(2.5)"`,
          );
          body = `<rect width="${S}" height="${S}" fill="${l.main}"/><rect width="${S}" height="${S}" fill="url(#w)"/>`;
          break;
        case 'jewellery': {
          body = `<rect width="${S}" height="${S}" fill="${shade(l.main, -0.1)}"/>`;
          for (let i = 0; i < 60; i++)
            body += `<ellipse cx="${f1(r.next() * S)}" cy="${f1(r.next() * S)}" rx="${f1(30 + r.next() * 30)}" ry="${f1(20 + r.next() * 20)}" fill="${shade(l.main, r.chance(0.5) ? 0.25 : -0.2)}" fill-opacity=".6"/>`;
          if (l.stone) body += gem(S / 2, S / 2, 150, l.stone, l.main);
          break;
        }
        case 'woodwork': {
          body = `<rect width="${S}" height="${S}" fill="${l.main}"/>`;
          for (let i = 0; i < 22; i++) {
            const x = i * 38 + r.next() * 10;
            body += `<path d="M${f1(x)} 0 C${f1(x + (r.next() - 0.5) * 80)} ${S * 0.33} ${f1(x + (r.next() - 0.5) * 80)} ${S * 0.66} ${f1(x)} ${S}" stroke="${shade(l.main, -0.35)}" stroke-width="${f1(2 + r.next() * 4)}" stroke-opacity=".5" fill="none"/>`;
          }
          body += `<ellipse cx="${f1(S * (0.3 + r.next() * 0.4))}" cy="${f1(S * (0.3 + r.next() * 0.4))}" rx="26" ry="40" fill="${shade(l.main, -0.45)}" fill-opacity=".6"/>`;
          break;
        }
        case 'leather':
          body = `<rect width="${S}" height="${S}" fill="${shade(l.main, -0.15)}"/><path d="M0 ${S * 0.35} H${S} V${S} H0 Z" fill="${l.main}"/><path d="M0 ${S * 0.35} H${S}" stroke="${shade(l.main, -0.4)}" stroke-width="14"/><path d="M0 ${S * 0.45} H${S}" stroke="${shade(l.main, 0.55)}" stroke-width="10" stroke-dasharray="36 22"/>`;
          break;
        case 'prints': {
          body = `<rect width="${S}" height="${S}" fill="#fbf8f1"/>`;
          l.inks.forEach((ink, i) => {
            for (let k = 0; k < 16; k++)
              body += `<path d="M${-100 + k * 60 + i * 20} ${S} L${200 + k * 60 + i * 20} 0" stroke="${ink}" stroke-width="${14 - i * 3}" stroke-opacity=".7"/>`;
          });
          break;
        }
        case 'glass':
          body = `<rect width="${S}" height="${S}" fill="${shade(l.main, 0.3)}"/><rect width="${S}" height="${S}" fill="${l.main}" fill-opacity=".7"/>`;
          for (let i = 0; i < 40; i++)
            body += `<circle cx="${f1(r.next() * S)}" cy="${f1(r.next() * S)}" r="${f1(4 + r.next() * 16)}" fill="none" stroke="#fff" stroke-opacity=".7" stroke-width="3"/>`;
          break;
        default:
          body = `<rect width="${S}" height="${S}" fill="${l.main}"/>`;
      }
      return `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" viewBox="0 0 ${S} ${S}"><defs>${defs}</defs>${body}</svg>`;
    },
  };
}

/** The shop's parcel: one picture shared by every product that has a third image. */
export function giftBoxPicture(): DemoPicture {
  return {
    key: 'gift-box',
    alt: 'Drawing of a brown recycled-card gift box tied with string, on a linen background',
    svg: () =>
      svgDocument(
        BACKDROPS[0]!,
        560,
        '',
        `<g transform="translate(400 640)">${shadow(260)}<path d="M-230 -300 L0 -390 L230 -300 L230 -20 L0 60 L-230 -20 Z" fill="#b98c5d"/><path d="M-230 -300 L0 -210 L230 -300 L0 -390 Z" fill="#caa073"/><path d="M0 -210 V60" stroke="#8b6a45" stroke-width="3"/><path d="M-115 -345 L115 -255 M115 -345 L-115 -255 M-115 -255 V20 M115 -255 V20" stroke="#f3ead8" stroke-width="8" fill="none"/><path d="M0 -300 q-70 -80 -20 -90 q20 20 20 90 q0 -70 20 -90 q50 10 -20 90" stroke="#f3ead8" stroke-width="8" fill="none"/></g>`,
      ),
  };
}
