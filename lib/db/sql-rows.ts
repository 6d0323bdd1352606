/**
 * Multi-row INSERT and SELECT … IN for the scan's batched writes (run-batch.ts) and its
 * items (scans.ts), as plain SQL through Prisma's tagged templates.
 *
 * Why by hand: Prisma 7 compiles every createMany and findMany in its query compiler
 * (WebAssembly) with the rows' data inside, so a batch of a few dozen runs cost more CPU
 * than verifying their signatures (CPU profiles of bench/scan.ts: the compiler and its
 * interpreter were a quarter of a scan). The same rows as one parameterised statement cost a
 * tenth. The SQL is the subset SQLite and PostgreSQL read alike: quoted identifiers, values
 * bound as parameters (both drivers bind Date, bigint and text exactly as Prisma's own writes
 * do: run-batch.test.ts compares them), and INSERT … VALUES, whose parameter types
 * PostgreSQL infers from the target columns. Values are validated before they get here
 * (lib/db/runs.ts row builders).
 */
import 'server-only';
import type { Db } from './client';
import { Prisma } from './generated/client';

export type SqlValue = string | number | bigint | boolean | Date | null;

/** Bound parameters per statement: far below SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 20_000;

const ident = (name: string) => {
  // Identifiers come from this codebase, never from input; refuse anything that would need escaping.
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return Prisma.raw(`"${name}"`);
};

/** Inserts rows that all have the given columns (every column named, defaults included). */
export async function insertRows(tx: Db, table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, SqlValue>>): Promise<void> {
  const head = Prisma.join(columns.map(ident), ', ');
  for (const statement of valueLists(table, columns, rows)) await tx.$executeRaw`INSERT INTO ${ident(table)} (${head}) VALUES ${statement}`;
}

/** The rows as `(…), (…)` lists of bound values, as many rows per statement as the parameter bound allows. */
function valueLists(table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, SqlValue>>): Prisma.Sql[] {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const lists: Prisma.Sql[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const values = rows.slice(i, i + perStatement).map((row) => {
      const missing = columns.find((c) => row[c] === undefined);
      if (missing) throw new Error(`${table} row without a value for ${missing}`);
      return Prisma.sql`(${Prisma.join(columns.map((c) => row[c]))})`;
    });
    lists.push(Prisma.join(values));
  }
  return lists;
}

/**
 * Inserts the rows whose unique key (`keyColumns`) is not taken yet and returns the ids of
 * those it inserted: `INSERT … ON CONFLICT (key) DO NOTHING RETURNING "id"`, which SQLite
 * (3.35+) and PostgreSQL read alike. A row another writer inserts at the same moment is
 * skipped, not an error (PostgreSQL waits for that writer's commit, then skips).
 */
export async function insertNewRows(tx: Db, table: string, columns: readonly string[], keyColumns: readonly string[], rows: ReadonlyArray<Record<string, SqlValue> & { id: string }>): Promise<string[]> {
  const inserted: string[] = [];
  for (const statement of valueLists(table, columns, rows)) {
    const returned = await tx.$queryRaw<Array<{ id: string }>>`INSERT INTO ${ident(table)} (${Prisma.join(columns.map(ident), ', ')}) VALUES ${statement} ON CONFLICT (${Prisma.join(keyColumns.map(ident), ', ')}) DO NOTHING RETURNING "id"`;
    for (const r of returned) inserted.push(r.id);
  }
  return inserted;
}

/** `SELECT columns FROM table WHERE column IN (values)`, in chunks. */
export async function selectIn<T>(tx: Db, table: string, columns: readonly string[], where: string, values: readonly SqlValue[]): Promise<T[]> {
  const out: T[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += MAX_PARAMETERS) {
    const chunk = unique.slice(i, i + MAX_PARAMETERS);
    out.push(...(await tx.$queryRaw<T[]>`SELECT ${Prisma.join(columns.map(ident), ', ')} FROM ${ident(table)} WHERE ${ident(where)} IN (${Prisma.join(chunk)})`));
  }
  return out;
}

/** A Prisma error for a unique constraint, from the query builder (P2002) or a raw statement. */
export function isUniqueViolation(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if (typeof c !== 'object') return false;
    const x = c as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
    if (x.code === 'P2002' || x.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation') return true;
  }
  return false;
}
