/**
 * How calls leave the renderer: through the Electron preload when it is there, else over HTTP to
 * the local web shell, signed with the launch secret the server put in a meta tag.
 */
import type { Envelope } from '../../src-shared/ipc/channel';
import type { EventMessage } from '../../src-shared/ipc/events';

export interface Transport {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (message: EventMessage) => void): () => void;
  kind: 'electron' | 'web';
}

function webSecret(): string {
  return document.querySelector('meta[name="twofold-secret"]')?.getAttribute('content') ?? '';
}

function electronTransport(): Transport {
  const bridge = window.twofold!;
  return {
    kind: 'electron',
    invoke: (channel, input) => bridge.invoke(channel, input) as Promise<Envelope<unknown>>,
    subscribe: (listener) => bridge.subscribe(listener),
  };
}

function webTransport(): Transport {
  const listeners = new Set<(m: EventMessage) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    if (source) return;
    source = new EventSource(`/api/events?t=${encodeURIComponent(webSecret())}`);
    source.onmessage = (e) => {
      try {
        const message = JSON.parse(e.data) as EventMessage;
        for (const l of listeners) l(message);
      } catch {
        /* a malformed event is dropped; the next refetch corrects the view */
      }
    };
  };
  return {
    kind: 'web',
    async invoke(channel, input) {
      let res: Response;
      try {
        res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-twofold-secret': webSecret() },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'NETWORK', message: 'Twofold is not running any more (the local server did not answer).' } };
      }
      if (!res.ok) {
        return { ok: false, error: { code: 'INTERNAL', message: `The local server refused the call (${res.status}).` } };
      }
      return (await res.json()) as Envelope<unknown>;
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => listeners.delete(listener);
    },
  };
}

let current: Transport | null = null;
export function transport(): Transport {
  current ??= window.twofold ? electronTransport() : webTransport();
  return current;
}

/** Where a finished export can be fetched from in the web shell. */
export function downloadUrl(id: string): string {
  return `/api/download/${encodeURIComponent(id)}?t=${encodeURIComponent(webSecret())}`;
}

/** Hands a file the main process wrote for download (an export, a fix list) to the browser. */
export function startDownload(id: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = downloadUrl(id);
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
