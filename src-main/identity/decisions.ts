/**
 * The steward's verdicts ("same" / "not same") on canonical pairs of source keys. They are the
 * ground truth the join re-applies after every rebuild, and the measure of how precise the
 * automatic email join has been on this organization's data.
 */
import type { Db } from '../store/db';
import type { Precision } from '../../src-shared/domain/identity';

export function canonicalPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export function recordDecision(
  db: Db,
  profileId: number,
  keyA: string,
  keyB: string,
  verdict: 'same' | 'not_same',
  opts: { emailJoined: boolean; kind?: string | null; reason?: string | null; actor: string; now: string; mergeId?: number | null },
): number {
  const [a, b] = canonicalPair(keyA, keyB);
  // A newer verdict on the same pair replaces the older one.
  db.prepare(`UPDATE identity_decisions SET revoked_at = ? WHERE profile_id = ? AND key_a = ? AND key_b = ? AND revoked_at IS NULL`).run(opts.now, profileId, a, b);
  const info = db
    .prepare(
      `INSERT INTO identity_decisions (profile_id, key_a, key_b, verdict, email_joined, candidate_kind, reason, decided_at, decided_by, merge_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(profileId, a, b, verdict, opts.emailJoined ? 1 : 0, opts.kind ?? null, opts.reason ?? null, opts.now, opts.actor, opts.mergeId ?? null);
  return Number(info.lastInsertRowid);
}

export function precision(db: Db, profileId: number): Precision {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS n,
         SUM(verdict = 'same' AND email_joined = 1) AS ok,
         SUM(verdict = 'not_same' AND email_joined = 1) AS bad,
         SUM(verdict = 'same' AND email_joined = 0) AS missed,
         SUM(verdict = 'not_same' AND email_joined = 0) AS rejected
       FROM identity_decisions WHERE profile_id = ? AND revoked_at IS NULL`,
    )
    .get(profileId) as { n: number; ok: number | null; bad: number | null; missed: number | null; rejected: number | null };
  const ok = r.ok ?? 0;
  const bad = r.bad ?? 0;
  const p = ok + bad > 0 ? ok / (ok + bad) : null;
  const text =
    p == null
      ? `No verdicts on email-joined records yet (${r.n} decisions in all). Confirm or split links on a person to measure the email join.`
      : `Of ${ok + bad} email joins the steward checked, ${ok} were right (${(p * 100).toFixed(1)}% precise); ${r.missed ?? 0} same-person pairs were missed by email and merged by hand.`;
  return { decisions: r.n, emailJoinedConfirmed: ok, emailJoinedRejected: bad, precision: p, missedByEmailJoin: r.missed ?? 0, candidatesRejected: r.rejected ?? 0, text };
}
