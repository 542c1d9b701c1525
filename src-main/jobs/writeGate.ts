/**
 * One writer at a time, without ever blocking the thread that serves the steward.
 *
 * SQLite (WAL) lets one connection write at a time, and better-sqlite3 waits for a lock by
 * blocking its thread (busy_timeout). The core's own connection writes in short transactions
 * (a sync's pages, a steward's action, a setting); a job in the worker writes in long ones (a
 * rebuild holds its transaction for seconds to minutes). So:
 * - code on the core's connection that writes holds the gate *shared* (several at once: they
 *   share one connection, whose transactions never overlap);
 * - a job holds it *exclusive* around each long transaction, and only while no shared holder is in;
 * - a shared request waits (asynchronously: the thread keeps serving reads) while an exclusive
 *   holder is in; it does not queue behind a waiting exclusive request, so a steward's click is
 *   never held up by a rebuild that is itself waiting for a sync to end.
 */
export type Release = () => void;

interface Waiter {
  mode: 'shared' | 'exclusive';
  grant: () => void;
}

export class WriteGate {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: Waiter[] = [];

  /** True while a job holds the gate or waits for it: periodic writers skip their turn then. */
  get busy(): boolean {
    return this.exclusiveHeld || this.waiting.some((w) => w.mode === 'exclusive');
  }

  acquire(mode: 'shared' | 'exclusive'): Promise<Release> {
    return new Promise((resolve) => {
      const grant = () => resolve(this.releaser(mode));
      if (this.canEnter(mode)) {
        this.enter(mode);
        grant();
      } else this.waiting.push({ mode, grant });
    });
  }

  async shared<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire('shared');
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire('exclusive');
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Runs `fn` now if no job holds or waits for the gate; otherwise skips it (returns false). */
  tryShared(fn: () => void): boolean {
    if (this.busy) return false;
    this.sharedHolders++;
    try {
      fn();
    } finally {
      this.release('shared');
    }
    return true;
  }

  private canEnter(mode: 'shared' | 'exclusive'): boolean {
    return mode === 'shared' ? !this.exclusiveHeld : !this.exclusiveHeld && this.sharedHolders === 0;
  }

  private enter(mode: 'shared' | 'exclusive'): void {
    if (mode === 'shared') this.sharedHolders++;
    else this.exclusiveHeld = true;
  }

  private releaser(mode: 'shared' | 'exclusive'): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.release(mode);
    };
  }

  private release(mode: 'shared' | 'exclusive'): void {
    if (mode === 'shared') this.sharedHolders--;
    else this.exclusiveHeld = false;
    // Shared waiters first (they are short), then the first exclusive waiter if the gate is free.
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (w.mode === 'shared' && this.canEnter('shared')) {
        this.waiting.splice(i, 1);
        this.enter('shared');
        w.grant();
      } else i++;
    }
    const next = this.waiting.findIndex((w) => w.mode === 'exclusive');
    if (next >= 0 && this.canEnter('exclusive')) {
      const [w] = this.waiting.splice(next, 1);
      this.enter('exclusive');
      w!.grant();
    }
  }
}
