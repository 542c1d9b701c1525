/**
 * The join rule the manifest's counts follow (MANIFEST.md, "Join rule"): records of different
 * systems sharing a normalized email (trim + lowercase) are one person, and a Raise donor's
 * crmKey joins it to that CRM+ contact. When an email (or a crmKey) reaches several individuals
 * of one contact, it joins only one: the one whose first name matches, else the primary.
 * Every CRM+ individual is its own person otherwise (spouses sharing an email stay two).
 */
import type { DRec, Extracted, IRec, VRec } from './extract';

export interface Component {
  key: string;
  v: VRec[];
  ind: IRec[];
  d: DRec[];
}

export const normName = (s: string | null | undefined): string => (s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();

class UnionFind {
  private parent = new Map<string, string>();
  add(k: string): void {
    if (!this.parent.has(k)) this.parent.set(k, k);
  }
  find(k: string): string {
    let r = k;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    let x = k;
    while (x !== r) {
      const n = this.parent.get(x)!;
      this.parent.set(x, r);
      x = n;
    }
    return r;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

export function chooseIndividual(inds: IRec[], first: string | null): IRec {
  const f = normName(first);
  return inds.find((x) => normName(x.first) === f) ?? inds.find((x) => x.isPrimary) ?? [...inds].sort((a, b) => a.individualId - b.individualId)[0]!;
}

/** Person key: the smallest VOMO user id, else individual id, else Raise donor id. */
function keyOf(c: Omit<Component, 'key'>): string {
  if (c.v.length) return `V${Math.min(...c.v.map((x) => x.vomoUserId))}`;
  if (c.ind.length) return `I${Math.min(...c.ind.map((x) => x.individualId))}`;
  return `R${Math.min(...c.d.map((x) => x.donorId))}`;
}

export function joinRecords(x: Extracted): Component[] {
  const uf = new UnionFind();
  for (const r of [...x.v, ...x.ind, ...x.d]) uf.add(r.key);
  const byEmail = new Map<string, { v: VRec[]; ind: IRec[]; d: DRec[] }>();
  const slot = (e: string) => {
    let s = byEmail.get(e);
    if (!s) byEmail.set(e, (s = { v: [], ind: [], d: [] }));
    return s;
  };
  for (const r of x.v) if (r.email) slot(r.email).v.push(r);
  for (const r of x.ind) for (const e of r.emails) slot(e).ind.push(r);
  for (const r of x.d) for (const e of r.emails) slot(e).d.push(r);
  const byContact = new Map<number, IRec[]>();
  for (const r of x.ind) {
    const l = byContact.get(r.contactId) ?? [];
    l.push(r);
    byContact.set(r.contactId, l);
  }

  for (const s of byEmail.values()) {
    const contacts = new Map<number, IRec[]>();
    for (const r of s.ind) contacts.set(r.contactId, [...(contacts.get(r.contactId) ?? []), r]);
    for (const other of [...s.v, ...s.d]) for (const inds of contacts.values()) uf.union(other.key, chooseIndividual(inds, other.first).key);
    for (const a of s.v) for (const b of s.d) uf.union(a.key, b.key);
  }
  for (const d of x.d) {
    if (d.crmKey === null) continue;
    const inds = byContact.get(d.crmKey);
    if (!inds) continue;
    const byMail = inds.filter((r) => r.emails.some((e) => d.emails.includes(e)));
    uf.union(d.key, chooseIndividual(byMail.length ? byMail : inds, d.first).key);
  }

  const groups = new Map<string, Omit<Component, 'key'>>();
  const g = (k: string) => {
    const root = uf.find(k);
    let c = groups.get(root);
    if (!c) groups.set(root, (c = { v: [], ind: [], d: [] }));
    return c;
  };
  for (const r of x.v) g(r.key).v.push(r);
  for (const r of x.ind) g(r.key).ind.push(r);
  for (const r of x.d) g(r.key).d.push(r);
  return [...groups.values()].map((c) => ({ key: keyOf(c), ...c }));
}
