/**
 * Collects finished items (with their runs) from a worker's concurrent tasks and stores
 * them in batches (lib/db/run-batch.ts): a batch is written when it is full or a few
 * milliseconds after its first item, one batch at a time. `submit` resolves once the item
 * is stored — true, or false when the item's lease had been lost to another worker — so
 * a task holds its slot (and its lease) until its result is durable.
 */
import 'server-only';
import type { Db } from '../../db';
import { writeItems, type ItemWrite } from '../../db/run-batch';

interface Pending {
  write: ItemWrite;
  resolve: (held: boolean) => void;
  reject: (e: unknown) => void;
}

export class ItemWriter {
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly options: { maxBatch?: number; delayMs?: number } = {},
  ) {}

  submit(write: ItemWrite): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (this.pending.length >= (this.options.maxBatch ?? 64)) this.drain();
      else this.timer ??= setTimeout(() => this.drain(), this.options.delayMs ?? 10);
    });
  }

  /** Stores whatever is pending now; resolves when every batch so far is written. */
  flush(): Promise<void> {
    this.drain();
    return this.writing;
  }

  private drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const { lost } = await writeItems(this.db, batch.map((p) => p.write));
      for (const p of batch) p.resolve(!lost.has(p.write.itemId));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}
