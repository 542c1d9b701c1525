import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context';
import { LIST_NAMES } from '../../../src-shared/domain/insights';
import type { PushCheckResult, PushPreview, PushSubmissionPage, PushSubmitResult } from '../../../src-shared/domain/crmPush';

const LABEL: Record<string, string> = {
  by_reference: 'in CRM+ (reference)',
  by_email: 'in CRM+ (email)',
  new: 'new',
  already_submitted: 'already sent',
  not_eligible: 'cannot send',
};

function previewText(p: PushPreview, withBodies: boolean): string {
  const c = p.counts;
  const lines = [
    `preview ${p.batchId}${p.list ? ` of list "${p.list}"` : ''}: ${p.items.length} people${p.truncated ? ' (the list is longer: run again afterwards for the rest)' : ''}`,
    `  new (a Contact Transaction each): ${c.new}`,
    `  already in CRM+ by our reference: ${c.byReference}`,
    `  already in CRM+ by email (link, do not create): ${c.byEmail}`,
    `  already sent, waiting for the nightly batch: ${c.alreadySubmitted}`,
    `  cannot be sent: ${c.notEligible}`,
    `  looked up ${p.lookup === 'mirror' ? `against the local CRM+ copy (${p.settledLocally} settled locally)` : 'in CRM+, person by person (sync CRM+ first to spend almost nothing)'}: ${p.requestsSpent} CRM+ request${p.requestsSpent === 1 ? '' : 's'} spent of ${p.requestsAnnounced} announced`,
    `  CRM+ requests the send needs: ${p.callsNeeded}${p.budget.remaining !== null ? ` (budget left this hour: ${p.budget.remaining}${p.budget.limit !== null ? ` of ${p.budget.limit}` : ''})` : ''}`,
    '',
  ];
  for (const it of p.items) {
    lines.push(`${(LABEL[it.classification] ?? it.classification).padEnd(20)} ${it.personId}\t${it.name}${it.email ? ` <${it.email}>` : ''}${it.contactId ? `\tcontact ${it.contactId}` : ''}`);
    if (it.classification === 'not_eligible' || it.classification === 'already_submitted') lines.push(`${''.padEnd(21)}${it.reason}`);
    if (withBodies && it.body) lines.push(`${''.padEnd(21)}${JSON.stringify(it.body)}`);
  }
  return lines.join('\n');
}

function submitText(r: PushSubmitResult): string {
  const lines = [
    `sent ${r.submitted} as Contact Transactions (pending until CRM+'s nightly batch), linked ${r.linked}, created now ${r.created}, recovered ${r.recovered}, skipped ${r.skipped}, failed ${r.failed}`,
  ];
  if (r.stopped) lines.push(`stopped: ${r.stopped.message}`);
  if (r.failed) lines.push('failed ones: twofold push <profile> --status failed');
  return lines.join('\n');
}

function checkText(r: PushCheckResult): string {
  return `checked ${r.checked}: ${r.confirmed} confirmed, ${r.stillPending} still pending, ${r.needsFollowup} need follow-up${r.stopped ? `\nstopped: ${r.stopped.message}` : ''}`;
}

async function confirmOnTty(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('push <profile> [list]')
    .description(
      `add volunteers of a list (${LIST_NAMES.filter((l) => l !== 'all').join(', ')}) to CRM+ through Contact Transactions: preview, then send; re-running never sends anyone twice`,
    )
    .option('--dry-run', 'preview only: the lookup result and the exact Transaction body per person; nothing is sent')
    .option('--yes', 'send without asking (after the preview)')
    .option('--person <ids...>', 'hand-picked person ids instead of a list')
    .option('--check-pending', 'look the pending submissions up in CRM+ by reference (confirm them)')
    .option('--status [status]', 'list submissions (pending, confirmed, failed, needs_followup, waiting, ...)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  twofold push Sandbox volunteer-only --dry-run     show what would be sent
  twofold push Sandbox top-volunteers --yes         preview and send
  twofold push Sandbox --check-pending              confirm the ones CRM+'s nightly batch created
  twofold push Sandbox --status failed              what CRM+ refused, with the field it named`,
    )
    .action(async (profileName: string, list: string | undefined, o: { dryRun?: boolean; yes?: boolean; person?: string[]; checkPending?: boolean; status?: string | boolean; json?: boolean }) => {
      const profile = ctx.profile(profileName);
      const json = !!o.json;
      if (o.checkPending) {
        const r = await ctx.call<PushCheckResult>('push.checkPending', { profileId: profile.id });
        ctx.print(r, json, checkText);
        if (r.stopped) process.exitCode = 1;
        return;
      }
      if (o.status !== undefined) {
        const status = typeof o.status === 'string' ? o.status : undefined;
        const page = await ctx.call<PushSubmissionPage>('push.submissions', { profileId: profile.id, status, offset: 0, limit: 500 });
        ctx.print(page, json, (p: PushSubmissionPage) =>
          [
            Object.entries(p.counts)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ') || 'no submissions yet',
            ...p.rows.map(
              (r) =>
                `${r.status.padEnd(16)} ${r.referenceSource}/${r.referenceId}\t${r.name ?? ''}\t${r.confirmedContactId ? `contact ${r.confirmedContactId}` : (r.submittedAt ?? '')}${r.errorMessage ? `\t${r.errorField ? r.errorField + ': ' : ''}${r.errorMessage}` : ''}`,
            ),
          ].join('\n'),
        );
        return;
      }
      if (!list && !o.person?.length) throw new CliError('name a list (volunteer-only, top-volunteers, ...) or --person <ids...>');
      if (list && !(LIST_NAMES as readonly string[]).includes(list)) throw new CliError(`unknown list "${list}" (one of: ${LIST_NAMES.join(', ')})`);
      const preview = await ctx.call<PushPreview>('push.preview', o.person?.length ? { profileId: profile.id, personIds: o.person } : { profileId: profile.id, list });
      const sendable = preview.counts.new + preview.counts.byReference + preview.counts.byEmail;
      if (o.dryRun) {
        ctx.print(preview, json, (p: PushPreview) => previewText(p, true) + '\n\ndry run: nothing was sent');
        return;
      }
      if (!json) process.stdout.write(previewText(preview, false) + '\n\n');
      if (sendable === 0) {
        ctx.print({ preview, result: null }, json, () => 'nothing to send or link');
        return;
      }
      if (!o.yes) {
        const ok = await confirmOnTty(`Send ${preview.counts.new} to CRM+ and link ${preview.counts.byReference + preview.counts.byEmail}? [y/N] `);
        if (!ok) throw new CliError(process.stdin.isTTY ? 'not sent' : 'not sent: add --yes to send without a prompt (or --dry-run to only preview)', 2);
      }
      const result = await ctx.call<PushSubmitResult>('push.submit', { profileId: profile.id, batchId: preview.batchId });
      ctx.print(json ? { preview, result } : result, json, submitText);
      if (result.stopped) process.exitCode = 1;
    });
}
