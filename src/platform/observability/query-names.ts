/**
 * A short, stable name for a SQL statement, for the query-duration metric and span names: the
 * operation and the first table it touches (`select catalog_products`, `insert orders`,
 * `update inventory_stock`, `select graphile_worker.add_job` for a function call, `begin`).
 * Parameters never appear (they are `$1` placeholders), so one call site gives one name, and the
 * label's values stay a bounded set: the tables and functions of the schema.
 *
 * Names are read from the SQL text rather than given at each call site: Kysely, raw `sql`
 * templates and graphile-worker all reach the same pg client, and a name a call site forgets
 * is worse than one read from the statement.
 */

const IDENT = String.raw`"?([A-Za-z_][\w$]*)"?(?:\s*\.\s*"?([A-Za-z_][\w$]*)"?)?`;
const LEADING = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*([A-Za-z]+)/;
const INSERT = new RegExp(String.raw`^\s*insert\s+into\s+${IDENT}`, 'i');
const UPDATE = new RegExp(String.raw`^\s*update\s+(?:only\s+)?${IDENT}`, 'i');
const DELETE = new RegExp(String.raw`^\s*delete\s+from\s+(?:only\s+)?${IDENT}`, 'i');
const FROM = new RegExp(String.raw`\bfrom\s+(?:only\s+)?${IDENT}`, 'i');
const CALL = new RegExp(String.raw`^\s*select\s+${IDENT}\s*\(`, 'i');
const WRITE_AFTER_WITH = new RegExp(String.raw`\)\s*(insert\s+into|update|delete\s+from)\s+(?:only\s+)?${IDENT}`, 'i');
const WRITE_IN_WITH = new RegExp(String.raw`\bas\s*\(\s*(insert\s+into|update|delete\s+from)\s+(?:only\s+)?${IDENT}`, 'i');

function joined(m: RegExpExecArray | null): string | null {
  if (!m) return null;
  return m[2] ? `${m[1]}.${m[2]}` : m[1]!;
}

/**
 * The statement's own FROM, not one of a subquery in its select list (`select p.*, (select ...
 * from variants) from products` is about products); the first FROM anywhere if none is at the top.
 */
function topLevelFrom(sql: string): RegExpExecArray | null {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === 102 || c === 70) /* f, F */ && /\W/.test(sql[i - 1] ?? ' ')) {
      FROM.lastIndex = 0;
      const m = FROM.exec(sql.slice(i));
      if (m && m.index === 0) return m;
    }
  }
  return FROM.exec(sql);
}

/** At most this much of a statement is read (names are made once per distinct text, then cached). */
const HEAD = 4000;

export function queryName(text: string): string {
  const head = text.length > HEAD ? text.slice(0, HEAD) : text;
  const lead = LEADING.exec(head);
  if (!lead) return 'other';
  const op = lead[1]!.toLowerCase();
  const body = head.slice(lead.index + lead[0].length - lead[1]!.length);
  switch (op) {
    case 'select': {
      const table = joined(topLevelFrom(body)) ?? joined(CALL.exec(body));
      return table ? `select ${table}` : 'select';
    }
    case 'insert':
      return `insert ${joined(INSERT.exec(body)) ?? '?'}`;
    case 'update':
      return `update ${joined(UPDATE.exec(body)) ?? '?'}`;
    case 'delete':
      return `delete ${joined(DELETE.exec(body)) ?? '?'}`;
    case 'with': {
      // What follows the common table expressions says what the query does: a write names its
      // target, a read its first table.
      // A read over data-modifying expressions (`with o as (update orders ...) select count(*)
      // from o`) is named by its first write: that is what the statement is for.
      const write = WRITE_AFTER_WITH.exec(body) ?? WRITE_IN_WITH.exec(body);
      if (write) return `with ${write[1]!.split(/\s+/)[0]!.toLowerCase()} ${write[3] ? `${write[2]}.${write[3]}` : write[2]}`;
      const table = joined(FROM.exec(body));
      return table ? `with select ${table}` : 'with select';
    }
    default:
      // begin, commit, rollback, savepoint, set, listen, notify, lock, ...
      return /^[a-z]{2,20}$/.test(op) ? op : 'other';
  }
}

/** Distinct names kept per process; past this, new ones are counted as `other`. */
export const MAX_QUERY_NAMES = 400;
