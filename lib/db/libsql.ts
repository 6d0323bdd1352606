/**
 * The libSQL driver adapter, on the project's own @libsql/client.
 *
 * @prisma/adapter-libsql 7.10 depends on @libsql/client ^0.17, which gives every
 * transaction its own connection and never closes it (each Prisma interactive
 * transaction, e.g. finishRun, leaked a file descriptor per SQLite file, plus
 * one for the WAL; a busy server ran out of descriptors). @libsql/client 0.18,
 * a direct dependency of Sigscope, pools connections and returns them on
 * commit/rollback. The adapter creates its client through an overridable
 * `createClient` method: we override it to use 0.18.
 *
 * No `server-only` here: the migrations engine (scripts) uses it too.
 */
import { createClient, type Config } from '@libsql/client';
import { PrismaLibSql } from '@prisma/adapter-libsql';

class PooledPrismaLibSql extends PrismaLibSql {
  override createClient(config: Parameters<PrismaLibSql['createClient']>[0]): ReturnType<PrismaLibSql['createClient']> {
    return createClient(config as Config) as unknown as ReturnType<PrismaLibSql['createClient']>;
  }
}

/** An adapter factory for a `file:` URL; `timeout` is SQLite's busy timeout in ms. */
export function libSqlAdapter(url: string, timeoutMs: number): PrismaLibSql {
  return new PooledPrismaLibSql({ url, timeout: timeoutMs });
}
