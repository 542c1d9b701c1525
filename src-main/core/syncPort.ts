/**
 * Waiting for another thread's message without an event loop: what a synchronous job (a rebuild
 * inside its transaction) needs to work with a helper thread. The sender posts on a port of its
 * own and then rings a counter in shared memory; the waiter sleeps on that counter
 * (Atomics.wait) and takes the message with receiveMessageOnPort. Posting before ringing means
 * a waiter that saw the counter move always finds the message.
 */
import { receiveMessageOnPort, type MessagePort, type ResourceLimits } from 'node:worker_threads';

/**
 * A helper thread's heap limits. Such a thread makes garbage (a batch's parsed records, a page's
 * rows) and keeps almost nothing, so a small young generation collects it as well; V8's flags are
 * the process's, and a thread would otherwise grow the job process's 32 MB semi-spaces too.
 */
export const SECOND_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

/** Sender's side: post, then ring slot `slot` of `bell`. */
export function postAndRing(port: MessagePort, bell: Int32Array, slot: number, message: unknown): void {
  port.postMessage(message);
  Atomics.add(bell, slot, 1);
  Atomics.notify(bell, slot);
}

/** Waiter's side: the next message on `port`, or an error naming `who` after `timeoutMs` without one. */
export function receiveSync<T>(port: MessagePort, bell: Int32Array, slot: number, timeoutMs: number, who: string): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rung = Atomics.load(bell, slot);
    const m = receiveMessageOnPort(port);
    if (m) return m.message as T;
    if (Date.now() > deadline) throw new Error(`${who} did not answer within ${Math.round(timeoutMs / 1000)} s.`);
    Atomics.wait(bell, slot, rung, 1_000);
  }
}
