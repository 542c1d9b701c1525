import type { ReportRegistry } from './types';

/** Rebuild first when the store has never been built for this profile (a CLI run after a sync). */
function ensureBuilt(ctx: Parameters<ReportRegistry[string]['run']>[0], profileId: number) {
  const svc = ctx.core().identity;
  if (!svc.lastRun(profileId)) svc.rebuild(profileId);
  return svc;
}

function limitOf(o: Record<string, string | boolean | undefined>): number {
  const n = Number(o.limit);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 100_000) : 100_000;
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n - 1) + '…' : s + ' '.repeat(n - s.length));

export const identityReports: ReportRegistry = {
  conflicts: {
    description: 'open conflicts between VOMO and CRM+ values, per person and field, with the authority marked',
    async run(ctx, profile, opts) {
      const svc = ensureBuilt(ctx, profile.id);
      const list = svc.listConflicts({ profileId: profile.id, status: 'open', offset: 0, limit: limitOf(opts.options) });
      const json = {
        profile: profile.name,
        total: list.total,
        byField: list.counts,
        conflicts: list.items.map((c) => ({
          id: c.id,
          personId: c.personId,
          name: c.personName,
          field: c.field,
          vomo: c.vomoValue,
          crm: c.crmValue,
          authority: c.authority,
          display: c.authorityValue,
          firstSeenAt: c.firstSeenAt,
        })),
      };
      const lines = [
        `Open conflicts for ${profile.name}: ${list.total}` + (list.total ? ` (${Object.entries(list.counts).map(([f, n]) => `${f} ${n}`).join(', ')})` : ''),
      ];
      if (list.items.length) {
        lines.push('', `${pad('PERSON', 15)}${pad('NAME', 24)}${pad('FIELD', 12)}${pad('VOMO', 28)}${pad('CRM+', 28)}AUTHORITY`);
        for (const c of list.items) {
          const mark = (side: 'vomo' | 'crm', v: string | null) => (c.authority === side ? `*${v ?? '—'}` : (v ?? '—'));
          lines.push(`${pad(c.personId, 15)}${pad(c.personName, 24)}${pad(c.field, 12)}${pad(mark('vomo', c.vomoValue), 28)}${pad(mark('crm', c.crmValue), 28)}${c.authority === 'crm' ? 'CRM+' : 'VOMO'}`);
        }
        lines.push('', '* the authority for the field; its value is what Twofold shows.');
      }
      return { json, text: lines.join('\n') };
    },
  },
  splits: {
    description: 'split candidates (probably one person in two rows), strongest first, with evidence and score',
    async run(ctx, profile, opts) {
      const svc = ensureBuilt(ctx, profile.id);
      const list = svc.listCandidates({ profileId: profile.id, status: 'open', offset: 0, limit: Math.min(limitOf(opts.options), 100_000) });
      const precision = svc.precision(profile.id);
      const json = {
        profile: profile.name,
        total: list.total,
        precision,
        candidates: list.items.map((c) => ({
          id: c.id,
          kind: c.kind,
          score: c.score,
          a: c.a ? { id: c.a.id, name: c.a.displayName, email: c.a.displayEmail } : { id: c.personA },
          b: c.b ? { id: c.b.id, name: c.b.displayName, email: c.b.displayEmail } : { id: c.personB },
          evidence: c.evidence.map((e) => ({ kind: e.kind, points: e.points, text: e.text, key: e.matchCard.key, wouldBreak: e.matchCard.wouldBreak })),
        })),
      };
      const lines = [`Split candidates for ${profile.name}: ${list.total}`, precision.text];
      for (const c of list.items) {
        lines.push(
          '',
          `#${c.id}  score ${c.score}  ${c.kind}`,
          `  A ${c.personA}  ${c.a?.displayName ?? '?'} <${c.a?.displayEmail ?? '—'}>`,
          `  B ${c.personB}  ${c.b?.displayName ?? '?'} <${c.b?.displayEmail ?? '—'}>`,
          ...c.evidence.map((e) => `  - ${e.text}`),
        );
      }
      return { json, text: lines.join('\n') };
    },
  },
};
