/**
 * Contact Transactions: accepted with 200 and an empty body, held, then resolved by the nightly
 * batch: match by reference pair first, then by email across every email method of every
 * individual, else create a contact. The batch attaches contactReferences[{source,id}] and bumps
 * modifiedDateTimeUtc. It merges nothing else (names and methods stay as CRM+ had them).
 */
import type { CrmContactPlan } from '../generator/types';
import type { World } from '../state/world';
import { normEmail } from '../state/world';

export interface PendingTransaction {
  seq: number;
  receivedAt: number;
  body: Record<string, unknown>;
}

export interface BatchOutcome {
  seq: number;
  referenceSource: string | null;
  referenceId: string | null;
  email: string | null;
  outcome: 'matchedByReference' | 'matchedByEmail' | 'created';
  contactId: number;
}

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ORG_TYPES = ['organization', 'foundation', 'church', 'company'];
const s = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);

export function validateTransaction(body: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const email = body.email;
  if (email !== undefined && email !== null && email !== '' && (typeof email !== 'string' || !EMAIL_RE.test(email.trim())))
    problems.push({ field: 'email', code: 'INVALID', message: `'${String(email)}' is not a valid email address.` });
  const isOrg = ORG_TYPES.includes(String(body.contactType ?? '').toLowerCase());
  if (!s(body.lastName) && !(isOrg && s(body.name))) problems.push({ field: 'lastName', code: 'REQUIRED', message: 'lastName is required to create a contact.' });
  return problems;
}

export class TransactionQueue {
  pending: PendingTransaction[] = [];
  history: (BatchOutcome & { batchAt: number })[] = [];
  private seq = 1;

  accept(w: World, body: Record<string, unknown>): void {
    this.pending.push({ seq: this.seq++, receivedAt: w.now, body });
    w.bump(); // the manifest reports pending transactions
  }

  runBatch(w: World): { at: string; processed: number; outcomes: BatchOutcome[] } {
    const outcomes: BatchOutcome[] = [];
    for (const t of this.pending.splice(0)) {
      const b = t.body;
      const refSource = s(b.referenceSource);
      const refId = s(b.referenceId);
      const email = typeof b.email === 'string' ? b.email.trim() : null;
      let outcome: BatchOutcome['outcome'] = 'created';
      let target: CrmContactPlan | undefined;
      if (refSource && refId) {
        target = w.contactsByReference(refSource, refId)[0];
        if (target) outcome = 'matchedByReference';
      }
      if (!target && normEmail(email)) {
        target = w.contactsByEmail(email!)[0];
        if (target) outcome = 'matchedByEmail';
      }
      let contactId: number;
      if (target) {
        const owner = w.contactOwner(target.id);
        const c = w.touch(owner).crm!;
        if (refSource && refId && !c.references.some((r) => r.source.toLowerCase() === refSource.toLowerCase() && r.id === refId)) c.references.push({ source: refSource, id: refId });
        c.modifiedAt = w.now;
        contactId = c.id;
        w.log('crm', 'contacts', c.id, 'updated', 'nightly-batch');
      } else {
        contactId = createContactFromTransaction(w, b, refSource, refId).id;
      }
      const o: BatchOutcome = { seq: t.seq, referenceSource: refSource, referenceId: refId, email, outcome, contactId };
      outcomes.push(o);
      this.history.push({ ...o, batchAt: w.now });
    }
    return { at: new Date(w.now).toISOString(), processed: outcomes.length, outcomes };
  }
}

function createContactFromTransaction(w: World, b: Record<string, unknown>, refSource: string | null, refId: string | null): CrmContactPlan {
  const first = s(b.firstName) ?? '';
  const last = s(b.lastName) ?? '';
  const emailType = s(b.emailType);
  const phoneType = s(b.phoneType);
  const email = s(b.email);
  const phone = s(b.phone);
  const methods = [];
  const mBase = 60_000_000 + w.counters.crmIndividual * 4;
  if (email) methods.push({ id: mBase, type: emailType && /email$/i.test(emailType) ? emailType : 'Home Email', value: email, isPrimary: true, isOptedIn: true });
  if (phone) methods.push({ id: mBase + 1, type: phoneType && /phone$/i.test(phoneType) ? phoneType : 'Mobile Phone', value: phone, isPrimary: true, isOptedIn: true });
  const isOrg = ORG_TYPES.includes(String(b.contactType ?? '').toLowerCase());
  return newContact(w, {
    contactType: isOrg ? 'Organization' : 'Household',
    name: s(b.name) ?? `${first} ${last}`.trim(),
    individuals: [{ id: w.counters.crmIndividual++, firstName: first, lastName: last, gender: null, isPrimary: true, birthYear: s(b.birthYear) ? Number(b.birthYear) : null, methods }],
    address: s(b.address1) ? { address1: s(b.address1)!, city: s(b.city) ?? '', state: s(b.state) ?? '', postal: s(b.postal) ?? '' } : null,
    references: refSource && refId ? [{ source: refSource, id: refId }] : [],
    tags: typeof b.tags === 'string' ? b.tags.split(';').map((x) => x.trim()).filter(Boolean) : [],
    cause: 'nightly-batch',
  });
}

/** A contact created after the start, held by a person-less orphan plan. */
export function newContact(w: World, o: Pick<CrmContactPlan, 'contactType' | 'name' | 'individuals' | 'address' | 'references' | 'tags'> & { cause: string }): CrmContactPlan {
  const p = w.newOrphan();
  const c: CrmContactPlan = { id: w.counters.crmContact++, contactType: o.contactType, name: o.name, createdAt: w.now, modifiedAt: w.now, individuals: o.individuals, gifts: [], address: o.address, references: o.references, tags: o.tags };
  p.crm = c;
  w.owner.contact.set(c.id, p.i);
  w.bump();
  w.log('crm', 'contacts', c.id, 'created', o.cause);
  return c;
}
