/**
 * The CRM+ write calls of "Add to CRM+", a thin layer over the connector's CrmClient (its pacing
 * against X-RateLimit-Remaining, 429 Retry-After waits, 5xx retries and 401 handling are reused
 * unchanged).
 *
 * Rules: the token lives in the client only; calls run one at a time (maxConcurrent 1: a write
 * path has no business racing itself); an error keeps what the steward needs — the HTTP status
 * and, for a 400/422, the field CRM+ named — read from every documented error shape.
 */
import { CrmClient, type CrmBudget, type CrmClientOptions } from '../connectors/crm/client';
import { parseContact, type ParsedContact } from '../connectors/crm/schemas';
import { RemoteCallError, camelizeKeys, describeErrorBody } from '../connectors/shared/parseValues';
import { AppError } from '../../src-shared/errors';
import type { TransactionBody } from '../../src-shared/domain/crmPush';

export interface FoundContact {
  id: string;
  name: string | null;
  mergedIntoContactId: string | null;
  /** The individual whose email matches the one we looked for, else the primary. */
  individualId: string | null;
  emails: string[];
  references: { source: string; id: string }[];
}

/** A refused call with what the per-person error needs. */
export class PushCallError extends AppError {
  constructor(
    code: AppError['code'],
    message: string,
    readonly status: number | null,
    readonly field: string | null,
    /** True when CRM+ may have accepted the request (timeout, dropped connection, 5xx). */
    readonly ambiguous: boolean,
  ) {
    super(code, message);
    this.name = 'PushCallError';
  }
}

/** The first field an error body names: canonical details[].field, modelState / errors keys. */
export function errorField(text: string | null | undefined): string | null {
  const body = (text ?? '').trim();
  if (!body) return null;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const o = camelizeKeys(json) as Record<string, unknown>;
  const err = o.error;
  if (err && typeof err === 'object') {
    const details = (err as Record<string, unknown>).details;
    if (Array.isArray(details)) {
      for (const d of details) {
        const f = d && typeof d === 'object' ? (d as Record<string, unknown>).field : null;
        if (typeof f === 'string' && f.trim()) return f.trim();
      }
    }
  }
  for (const key of ['modelState', 'errors']) {
    const m = o[key];
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      const first = Object.keys(m as Record<string, unknown>)[0];
      // ASP.NET prefixes the model name: "contact.email" → "email".
      if (first) return first.includes('.') ? first.slice(first.lastIndexOf('.') + 1) : first;
    }
  }
  return null;
}

function toFound(json: unknown, email: string | null): FoundContact | null {
  if (json === null || json === undefined) return null;
  const parsed = parseContact(json);
  if (!parsed.ok) {
    // A contact we cannot fully parse still has an id worth linking.
    const o = camelizeKeys(json) as Record<string, unknown>;
    const id = o && (typeof o.id === 'number' || typeof o.id === 'string') ? String(o.id) : null;
    if (!id) return null;
    return { id, name: typeof o.name === 'string' ? o.name : null, mergedIntoContactId: null, individualId: null, emails: [], references: [] };
  }
  return fromParsed(parsed.value, email);
}

function fromParsed(p: ParsedContact, email: string | null): FoundContact {
  const norm = email?.trim().toLowerCase() ?? null;
  const byEmail = norm ? p.methods.find((m) => m.kind === 'email' && m.email_norm === norm)?.individual_id : undefined;
  const primary = p.individuals.find((i) => i.is_primary === 1)?.id ?? p.individuals[0]?.id ?? null;
  return {
    id: p.contact.id,
    name: p.contact.name,
    mergedIntoContactId: p.contact.merged_into_contact_id,
    individualId: byEmail ?? primary,
    emails: p.methods.filter((m) => m.kind === 'email' && m.email_norm).map((m) => m.email_norm!),
    references: p.references.map((r) => ({ source: r.source, id: r.ref_id })),
  };
}

export interface PushApiOptions extends Omit<CrmClientOptions, 'maxConcurrent'> {}

export class PushApi {
  readonly client: CrmClient;
  private readonly base: string;
  /** Error bodies of failed answers, by request key (the client keeps only a message). */
  private readonly errorBodies = new Map<string, { status: number; text: string }>();

  constructor(opts: PushApiOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    const base = opts.fetch ?? fetch;
    const capturing: typeof fetch = async (input, init) => {
      const res = await base(input, init);
      if (!res.ok) {
        const text = await res
          .clone()
          .text()
          .catch(() => '');
        this.errorBodies.set(requestKey(init?.method ?? 'GET', String(input), init?.body), { status: res.status, text });
      }
      return res;
    };
    this.client = new CrmClient({ ...opts, fetch: capturing, maxConcurrent: 1 });
    this.clientOpts = { ...opts, fetch: capturing, maxConcurrent: 1 };
  }

  private readonly clientOpts: CrmClientOptions;
  private once: CrmClient | null = null;
  /** For the direct create: no automatic retry (a retried create that had landed is a duplicate). */
  private noRetryClient(): CrmClient {
    this.once ??= new CrmClient({ ...this.clientOpts, retries: 0 });
    return this.once;
  }

  budget(): CrmBudget {
    return this.client.budgetSnapshot();
  }

  close(): void {
    this.client.close();
    this.once?.close();
  }

  /** GET /api/Contact/Find?referenceSource&referenceId — null on 404. */
  findByReference(source: string, id: string, signal?: AbortSignal): Promise<FoundContact | null> {
    return this.lookup('/api/Contact/Find', { referenceSource: source, referenceId: id }, null, signal);
  }

  /** GET /api/Contact/Find?email — null on 404. */
  findByEmail(email: string, signal?: AbortSignal): Promise<FoundContact | null> {
    return this.lookup('/api/Contact/Find', { email }, email, signal);
  }

  /** GET /api/Contact/{referenceSource}/{referenceId} (both URL-encoded) — null while held (404). */
  getByReference(source: string, id: string, email: string | null, signal?: AbortSignal): Promise<FoundContact | null> {
    return this.lookup(`/api/Contact/${encodeURIComponent(source)}/${encodeURIComponent(id)}`, {}, email, signal);
  }

  /** POST /api/Contact/Transaction — 200 with an empty body; nothing to read back. */
  async submitTransaction(body: TransactionBody, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/api/Contact/Transaction', {}, body, signal);
  }

  /** POST /api/Contact — creates unconditionally; the caller looked up first. */
  async createContact(body: Record<string, unknown>, email: string | null, signal?: AbortSignal): Promise<FoundContact> {
    const json = await this.call('POST', '/api/Contact', {}, body, signal, this.noRetryClient());
    const found = toFound(json, email);
    if (!found) throw new PushCallError('REMOTE_ERROR', 'CRM+ created the contact but sent back no id.', 200, null, true);
    return found;
  }

  private async lookup(path: string, query: Record<string, string>, email: string | null, signal?: AbortSignal): Promise<FoundContact | null> {
    try {
      return toFound(await this.call('GET', path, query, undefined, signal), email);
    } catch (err) {
      if (err instanceof PushCallError && err.status === 404) return null;
      throw err;
    }
  }

  private async call(method: string, path: string, query: Record<string, string>, body: unknown, signal?: AbortSignal, client = this.client): Promise<unknown> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const key = requestKey(method, url.toString(), body === undefined ? undefined : JSON.stringify(body));
    this.errorBodies.delete(key);
    try {
      return (await client.request(method, path, query, body, signal)).json;
    } catch (err) {
      const captured = this.errorBodies.get(key);
      this.errorBodies.delete(key);
      throw toPushError(err, captured);
    }
  }
}

function requestKey(method: string, url: string, body: unknown): string {
  return `${method.toUpperCase()} ${url} ${typeof body === 'string' ? body : ''}`;
}

function toPushError(err: unknown, captured: { status: number; text: string } | undefined): PushCallError | AppError {
  if (err instanceof RemoteCallError) {
    const status = err.status ?? captured?.status ?? null;
    const field = captured && (status === 400 || status === 422) ? errorField(captured.text) : null;
    let message = err.message;
    if (captured && (status === 400 || status === 422)) {
      const d = describeErrorBody(captured.text).message;
      message = d ? `CRM+ refused this contact (HTTP ${status}): ${d}` : `CRM+ refused this contact (HTTP ${status}).`;
    }
    // No status (network) or a 5xx/408 after the retries: CRM+ may have taken the request.
    const ambiguous = status === null || status >= 500 || status === 408;
    return new PushCallError(err.code, message, status, field, ambiguous);
  }
  if (err instanceof AppError) return err;
  return new PushCallError('NETWORK', `CRM+ could not be reached: ${(err as Error)?.message ?? String(err)}`, null, null, true);
}
