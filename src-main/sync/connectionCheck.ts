/**
 * The connection check (`twofold token test`, Settings → Connections → Check): every resource the
 * collectors read, called once with the smallest page, reported one by one — available, not
 * available (404, 405, 501: the account does not offer it), forbidden (403: the token may not read
 * it) or failed — with the rate-limit headers the server sent and the pace Twofold will keep.
 * Each finding is recorded for the profile: the next sync skips an optional resource found missing
 * instead of discovering it mid-run, and the Sync view says so.
 */
import { API_LABELS, API_RESOURCES, resourceWords, type ApiName } from '../../src-shared/domain/apis';
import type { ConnectionTestResult, RateLimitHeaders, ResourceCheck } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { RemoteCallError } from '../connectors/shared/parseValues';
import { readVomoPage, vomoItemId } from '../connectors/vomo/paging';
import { listProjects, projectDates, readProjectDate } from '../connectors/vomo/projects';
import { CRM_MODIFIED_PARAMETER, modifiedQueryBody } from '../connectors/crm/paging';
import type { Db } from '../store/db';
import type { ApiObservations } from '../store/repos/apiObservations';
import type { Collector } from './collectors/types';
import { VomoCollector } from './collectors/vomoCollector';
import { CrmCollector } from './collectors/crmCollector';
import { RaiseCollector } from './collectors/raiseCollector';
import { paceEstimate } from './collectors/paceEstimate';
import { toAppError } from './syncService';

const RAISE_PATH: Record<string, string> = { campaigns: 'Campaign', donors: 'Donor', gifts: 'Gift', recurringGifts: 'RecurringGift' };

interface Ctx {
  db: Db;
  profileId: number;
  observations: ApiObservations;
}

function verdict(api: ApiName, resource: string, err: unknown): Omit<ResourceCheck, 'checkedAt' | 'api' | 'resource' | 'required'> {
  const what = resourceWords(resource);
  if (err instanceof RemoteCallError && err.status !== null) {
    const s = err.status;
    if (s === 404 || s === 405 || s === 501) return { status: 'unavailable', httpStatus: s, message: `${what}: not available to this account (HTTP ${s})` };
    if (s === 403) return { status: 'forbidden', httpStatus: s, message: `${what}: forbidden for this token (HTTP 403)` };
    return { status: 'failed', httpStatus: s, message: `${what}: ${err.message}` };
  }
  const e = toAppError(err);
  return { status: 'failed', httpStatus: null, message: `${what}: ${e.message}` };
}

/** A 401 means the token itself: every resource would say the same, so the check stops there. */
function tokenRefused(err: unknown): boolean {
  return err instanceof AppError && err.code === 'UNAUTHENTICATED' && !(err instanceof RemoteCallError && err.status === 403);
}

export async function checkConnection(c: Collector, ctx: Ctx): Promise<ConnectionTestResult> {
  const api = c.api;
  const label = API_LABELS[api];
  const started = Date.now();
  const checks: ResourceCheck[] = [];
  /** Set when the API's request budget ran out mid-check: the rest is not asked (and not failed). */
  let budgetSpent: AppError | null = null;
  const probe = async (resource: string, fn: () => Promise<void>): Promise<boolean> => {
    if (budgetSpent) return false;
    const required = API_RESOURCES[api].find((r) => r.resource === resource)?.required ?? false;
    const checkedAt = new Date().toISOString();
    try {
      await fn();
      checks.push({ api, resource, required, status: 'available', httpStatus: 200, message: `${resourceWords(resource)}: available`, checkedAt });
      return true;
    } catch (err) {
      if (tokenRefused(err)) throw err;
      if (err instanceof AppError && err.code === 'RATE_LIMITED') {
        budgetSpent = err;
        return false;
      }
      checks.push({ api, resource, required, checkedAt, ...verdict(api, resource, err) });
      return false;
    }
  };
  try {
    if (c instanceof VomoCollector) {
      const client = c.client;
      let firstUser: string | null = null;
      await probe('users', async () => {
        const page = readVomoPage(await client.getJson(client.url('users', { page: 1 })));
        firstUser = page.data.map(vomoItemId).find((x): x is string => !!x) ?? null;
      });
      await probe('participations', async () => {
        if (firstUser) await client.getJson(client.url(`users/${encodeURIComponent(firstUser)}`));
      });
      await probe('projects', async () => {
        const { projects } = await listProjects(client, undefined, 1);
        const first = projects[0];
        if (!first) return;
        const { dates, name } = await projectDates(client, first);
        if (dates[0]) {
          const read = await readProjectDate(client, dates[0], name);
          if (read.participants === null) throw new RemoteCallError('REMOTE_ERROR', 'VOMO sent a project date without a list of participants', 200, false);
        }
      });
    } else if (c instanceof CrmCollector) {
      const body = modifiedQueryBody(null, { parameter: CRM_MODIFIED_PARAMETER, sortBy: CRM_MODIFIED_PARAMETER });
      await probe('contacts', () => c.client.queryFullContacts(body, 0, 1).then(() => undefined));
      await probe('gifts', () => c.client.queryFullGifts(body, 0, 1).then(() => undefined));
    } else if (c instanceof RaiseCollector) {
      for (const r of API_RESOURCES.raise) await probe(r.resource, () => c.client.list(RAISE_PATH[r.resource]!, { Skip: 0, Take: 1 }).then(() => undefined));
    }
  } catch (err) {
    const e = toAppError(err);
    return { api, ok: false, code: e.code, message: e.message, ms: Date.now() - started, resources: checks, rateLimit: rateHeaders(c), pacing: null };
  }
  for (const r of checks) ctx.observations.recordResource(ctx.profileId, api, r.resource, r.status, r.httpStatus, r.message, r.checkedAt);
  const missingRequired = checks.filter((r) => r.required && r.status !== 'available');
  const notRead = checks.filter((r) => r.status !== 'available');
  const ok = missingRequired.length === 0;
  const spent = budgetSpent as AppError | null;
  const message = ok
    ? `${label} accepted the token${notRead.length ? `; not read: ${notRead.map((r) => r.message).join('; ')}` : spent ? '' : '; every resource answered'}${spent ? `; the rest was not checked: ${spent.message}` : ''}.`
    : `${label} cannot be synced: ${missingRequired.map((r) => r.message).join('; ')}.`;
  return {
    api,
    ok,
    code: ok ? null : missingRequired.some((r) => r.status === 'forbidden') ? 'UNAUTHENTICATED' : 'REMOTE_ERROR',
    message,
    ms: Date.now() - started,
    resources: checks,
    rateLimit: rateHeaders(c),
    pacing: pacingText(c),
  };
}

function rateHeaders(c: Collector): RateLimitHeaders | null {
  if (c instanceof CrmCollector) {
    const b = c.client.budgetSnapshot();
    return b.limit === null && b.remaining === null ? null : { limit: b.limit, remaining: b.remaining, resetAt: b.resetAt, retryAfterSeconds: null };
  }
  const p = c instanceof VomoCollector || c instanceof RaiseCollector ? c.client.pace() : null;
  if (!p || (p.limit === null && p.remaining === null)) return null;
  return { limit: p.limit, remaining: p.remaining, resetAt: p.resetAt === null ? null : new Date(p.resetAt).toISOString(), retryAfterSeconds: null };
}

function pacingText(c: Collector): string {
  if (c instanceof CrmCollector) {
    const b = c.client.budgetSnapshot();
    const limit = b.limit ?? 5000;
    return `${limit.toLocaleString('en-US')} requests per hour for the organization${b.remaining !== null ? ` (${b.remaining.toLocaleString('en-US')} left)` : ''}; Twofold leaves ${c.client.reserve().toLocaleString('en-US')} for other integrations`;
  }
  if (c instanceof VomoCollector || c instanceof RaiseCollector) return paceEstimate(c.client.pace(), null, API_LABELS[c.api]).text;
  return '';
}
