/** Reading in-toto attestations: statement parsing and human-readable predicate summaries. */
export * from './statement';
export * from './predicates';
export type { JsonObject, JsonValue } from './json';
