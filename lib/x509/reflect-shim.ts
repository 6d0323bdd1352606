/**
 * @peculiar/x509 registers its algorithms with tsyringe, and tsyringe refuses to
 * load unless `Reflect.getMetadata` exists. The usual fix is the `reflect-metadata`
 * package, but it is not a runtime dependency of this project (only a transitive
 * dev one), so a production install would crash on first import.
 *
 * This installs the three calls tsyringe makes, backed by a WeakMap, and only when
 * no polyfill is present. Import it before `@peculiar/x509` (see ./peculiar.ts).
 */
type MetadataKey = unknown;
type Store = Map<MetadataKey, unknown>;

interface ReflectWithMetadata {
  getMetadata?: (key: MetadataKey, target: object) => unknown;
  getOwnMetadata?: (key: MetadataKey, target: object) => unknown;
  defineMetadata?: (key: MetadataKey, value: unknown, target: object) => void;
}

const R = Reflect as typeof Reflect & ReflectWithMetadata;

if (typeof R.getMetadata !== 'function') {
  const stores = new WeakMap<object, Store>();
  const own = (key: MetadataKey, target: object): unknown => stores.get(target)?.get(key);

  R.getOwnMetadata = own;
  // getMetadata walks the prototype chain, as in the metadata proposal.
  R.getMetadata = (key, target) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const store = stores.get(t);
      if (store?.has(key)) return store.get(key);
    }
    return undefined;
  };
  R.defineMetadata = (key, value, target) => {
    let store = stores.get(target);
    if (!store) stores.set(target, (store = new Map()));
    store.set(key, value);
  };
}

export {};
