/**
 * The PostgreSQL copy of prisma/schema.prisma.
 *
 * Prisma 7 takes the datasource provider from the schema file only (never from an
 * environment variable), so the team path needs a second schema: the same models with
 * `provider = "postgresql"` and the client generated into lib/db/generated-pg. It is
 * derived here from the one schema we edit, never written by hand, so the two providers
 * cannot drift apart. The models are portable by construction (see the header of
 * schema.prisma: String JSON, no enums, no @db.* types).
 *
 * No `server-only` here: scripts/db-*.ts (plain tsx) use this module.
 */
import { SigscopeError } from '../errors';

/**
 * `schema` (the SQLite schema text) with the datasource provider set to postgresql and,
 * when given, the client generator's `output` replaced (an absolute path: the copy is
 * written elsewhere than prisma/).
 */
export function postgresSchemaText(schema: string, options: { output?: string } = {}): string {
  const datasource = /(datasource\s+\w+\s*\{[^}]*?provider\s*=\s*)"sqlite"/;
  if (!datasource.test(schema)) {
    throw new SigscopeError('DATABASE', 'prisma/schema.prisma has no `datasource { provider = "sqlite" }` block to derive the PostgreSQL schema from.');
  }
  let out = schema.replace(datasource, '$1"postgresql"');
  if (options.output !== undefined) {
    const generator = /(generator\s+client\s*\{[^}]*?output\s*=\s*)"[^"]*"/;
    if (!generator.test(out)) throw new SigscopeError('DATABASE', 'prisma/schema.prisma has no `generator client { output = ... }` to redirect.');
    out = out.replace(generator, `$1${JSON.stringify(options.output)}`);
  }
  return (
    '// GENERATED from prisma/schema.prisma by lib/db/pg-schema.ts (provider swapped to postgresql).\n' +
    '// Do not edit: edit prisma/schema.prisma instead.\n' +
    out
  );
}
