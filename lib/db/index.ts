/** Sigscope storage: `const db = await getDb()`, then the functions of ./runs. Server only. */
export { getDb, openDb, closeDb, type Db } from './client';
export * from './runs';
export * from './types';
export { migrateDatabase, type MigrateOptions, type MigrateResult } from './migrate';
export * from './identities';
export { providerOf, type Provider } from './dialect';
