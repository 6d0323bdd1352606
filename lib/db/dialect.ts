/**
 * The few SQL spellings where SQLite and PostgreSQL differ, for the raw queries of lib/db.
 *
 * Everything else in our raw SQL is shared: quoted identifiers, CTEs, CASE, COALESCE,
 * positional GROUP BY, LIMIT with a parameter. Keyed on the client: openDb() records each
 * client's provider here (a Prisma client does not expose it publicly).
 *
 * Raw results differ per driver too, and callers normalize them: COUNT/SUM come back as
 * BigInt on PostgreSQL (numbers or BigInt on SQLite), timestamps as Date on PostgreSQL and
 * as Date or text on SQLite. Use rawNumber()/rawDate().
 *
 * No `server-only`: it only builds SQL fragments.
 */
import { Prisma } from './generated/client';

export type Provider = 'sqlite' | 'postgresql';

const providers = new WeakMap<object, Provider>();

export function registerProvider(db: object, provider: Provider): void {
  providers.set(db, provider);
}

/** The provider of a client opened by openDb() (SQLite for anything else). */
export function providerOf(db: object): Provider {
  return providers.get(db) ?? 'sqlite';
}

export interface Dialect {
  provider: Provider;
  /**
   * A top-level string field of a JSON text column, NULL when the text is not valid JSON
   * (rather than failing the whole query). `column` and `key` are constants, never input.
   */
  jsonText(column: string, key: string): Prisma.Sql;
  /**
   * `value LIKE pattern ESCAPE '\'`, case-insensitive on both (SQLite's LIKE ignores ASCII
   * case; PostgreSQL's does not, so ILIKE there).
   */
  like(value: Prisma.Sql, pattern: string): Prisma.Sql;
  /** A timestamp as fixed-width ISO text that sorts like the timestamp (for MAX over "time|id" keys). */
  sortableTime(expr: Prisma.Sql): Prisma.Sql;
}

function assertConstant(what: string, v: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_."]*$/.test(v)) throw new Error(`dialect: ${what} ${JSON.stringify(v)} is not a plain identifier`);
}

const sqlite: Dialect = {
  provider: 'sqlite',
  jsonText(column, key) {
    assertConstant('column', column);
    assertConstant('key', key);
    return Prisma.raw(`(CASE WHEN json_valid(${column}) THEN json_extract(${column}, '$.${key}') END)`);
  },
  like: (value, pattern) => Prisma.sql`${value} LIKE ${pattern} ESCAPE '\\'`,
  // Prisma stores SQLite DateTime values in one fixed format per database: already sortable.
  sortableTime: (expr) => expr,
};

const postgresql: Dialect = {
  provider: 'postgresql',
  jsonText(column, key) {
    assertConstant('column', column);
    assertConstant('key', key);
    // sigscope_json_text: the PostgreSQL migration json_text_helper (PostgreSQL 15 has no
    // "is valid JSON" test; the function returns NULL instead of raising on bad text).
    return Prisma.raw(`sigscope_json_text(${column}, '${key}')`);
  },
  like: (value, pattern) => Prisma.sql`${value} ILIKE ${pattern} ESCAPE '\\'`,
  sortableTime: (expr) => Prisma.sql`to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS.MS')`,
};

export function dialectOf(db: object): Dialect {
  return providerOf(db) === 'postgresql' ? postgresql : sqlite;
}

/** A COUNT/SUM/number column of a raw result as a number (BigInt, number or digit text). */
export function rawNumber(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return 0;
}

/** A timestamp column of a raw result as a Date (Date, ISO text, or epoch milliseconds); null when absent or invalid. */
export function rawDate(v: unknown): Date | null {
  if (v == null) return null;
  const d = v instanceof Date ? v : new Date(typeof v === 'bigint' ? Number(v) : (v as string | number));
  return Number.isNaN(d.getTime()) ? null : d;
}
