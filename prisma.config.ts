// Prisma CLI configuration (Prisma 7: the datasource URL lives here, not in schema.prisma).
//
// Offline note: the Prisma CLI's native schema engine cannot be downloaded here, so
// `prisma migrate *` / `db push` are not used. Migrations are written and applied by
// scripts/db-migration.ts and lib/db/migrate.ts through @prisma/schema-engine-wasm.
// `npm run db:generate` (scripts/db-generate.ts) runs `prisma generate` offline.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const defaultUrl = `file:${path.join(__dirname, 'data', 'sigscope.db')}`;

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? defaultUrl },
});
