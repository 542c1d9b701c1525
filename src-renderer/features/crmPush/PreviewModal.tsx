import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Modal, Progress, ScrollArea, Stack, Text } from '@mantine/core';
import { DataTable } from '../../components/DataTable';
import { fmtCount, fmtDateTime, plural } from '../../../src-shared/format';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import type { PushPreview, PushPreviewItem, PushSubmitResult } from '../../../src-shared/domain/crmPush';
import { CLASS_COLOR, CLASS_LABEL } from './format';
import { SubmissionsPanel } from './SubmissionsPanel';

function BodyToggle({ item }: { item: PushPreviewItem }) {
  const [open, setOpen] = useState(false);
  if (!item.body) return null;
  return (
    <Stack gap={4}>
      <Button size="compact-xs" variant="subtle" aria-expanded={open} aria-label={`${open ? 'Hide' : 'Show'} Transaction body for ${item.name}`} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide body' : 'Show body'}
      </Button>
      {open && (
        <Code block aria-label={`Transaction body for ${item.name}`}>
          {JSON.stringify(item.body, null, 2)}
        </Code>
      )}
    </Stack>
  );
}

function ResultAlert({ result }: { result: PushSubmitResult }) {
  const parts = [
    `${result.submitted} sent as Contact Transactions (pending until CRM+'s nightly batch)`,
    result.linked ? `${result.linked} linked to contacts already in CRM+` : null,
    result.created ? `${result.created} created now` : null,
    result.recovered ? `${result.recovered} interrupted earlier and now confirmed` : null,
    result.skipped ? `${result.skipped} skipped (already sent or not eligible)` : null,
    result.failed ? `${result.failed} refused by CRM+ (see Failed in the submissions)` : null,
  ].filter(Boolean);
  return (
    <div role="status" aria-label="Submit result">
    <Alert color={result.stopped ? 'red' : result.failed ? 'orange' : 'green'} title={result.stopped ? 'Stopped' : 'Submitted'}>
      <Stack gap={2}>
        {parts.map((p) => (
          <Text key={p} size="sm">
            {p}
          </Text>
        ))}
        {result.stopped && <Text size="sm">{result.stopped.message}</Text>}
      </Stack>
    </Alert>
    </div>
  );
}

export function PreviewModal({ preview, opened, onClose, onSubmitted }: { preview: PushPreview | null; opened: boolean; onClose: () => void; onSubmitted?: (r: PushSubmitResult) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ current: number; total: number | null; message: string | null } | null>(null);
  const [result, setResult] = useState<PushSubmitResult | null>(null);
  const [confirmNow, setConfirmNow] = useState<PushPreviewItem | null>(null);

  useEffect(() => {
    setResult(null);
    setProgress(null);
    setConfirmNow(null);
  }, [preview?.batchId]);

  useEffect(() => {
    if (!preview) return;
    return onEvent('task.progress', (p) => {
      if (p.task !== 'crm_push' || p.profileId !== preview.profileId || p.step !== 'submit') return;
      setProgress({ current: p.current, total: p.total, message: p.message });
    });
  }, [preview]);

  if (!preview) return null;
  const { counts } = preview;
  const toSend = counts.new;
  const toLink = counts.byReference + counts.byEmail;

  async function submit(immediatePersonId?: string) {
    if (!preview) return;
    setBusy(immediatePersonId ? `now:${immediatePersonId}` : 'submit');
    try {
      const r = await api['push.submit']({ profileId: preview.profileId, batchId: preview.batchId, ...(immediatePersonId ? { immediatePersonId } : {}) });
      setResult(r);
      onSubmitted?.(r);
      notifications.show({ color: r.stopped ? 'red' : 'green', message: r.stopped ? r.stopped.message : `Add to CRM+: ${r.submitted + r.created} sent, ${r.linked} linked` });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setBusy(null);
      setConfirmNow(null);
    }
  }

  const pct = progress && progress.total ? Math.round((progress.current / progress.total) * 100) : 0;

  return (
    <Modal opened={opened} onClose={onClose} title="Add to CRM+: preview" size="90%" aria-label="Add to CRM+ preview">
      <Stack gap="sm">
        <Text size="sm">
          Nothing has been written to CRM+.{' '}
          {preview.lookup === 'mirror'
            ? 'Each person was looked up in the local copy of CRM+ (as of the last CRM+ sync, plus the contacts changed in CRM+ since), by our reference (Twofold/VOMO + VOMO user id), then by email.'
            : 'For each person Twofold looked in CRM+ by our reference (Twofold/VOMO + VOMO user id), then by email.'}
          New people are sent as Contact Transactions: CRM+ creates or merges the contact in its nightly batch, and Twofold confirms it by reference afterwards.
        </Text>
        {preview.truncated && (
          <Alert color="yellow" title="Only part of the list">
            The list has more people than one preview handles; these are the first {preview.items.length}. Run Add to CRM+ again afterwards for the rest: people already sent are skipped.
          </Alert>
        )}
        <Group gap="xs" aria-label="Preview summary">
          <Badge color="indigo">{fmtCount(counts.new)} new</Badge>
          <Badge color="teal">{fmtCount(counts.byReference)} by reference</Badge>
          <Badge color="cyan">{fmtCount(counts.byEmail)} by email</Badge>
          <Badge color="gray">{fmtCount(counts.alreadySubmitted)} already sent</Badge>
          <Badge color="red">{fmtCount(counts.notEligible)} cannot be sent</Badge>
          <Text size="xs" c="dimmed" data-testid="push-requests">
            This preview spent {plural(preview.requestsSpent, 'CRM+ request')} (announced {fmtCount(preview.requestsAnnounced)}); sending needs {fmtCount(preview.callsNeeded)}
            {preview.budget.remaining !== null
              ? `. CRM+ budget: ${fmtCount(preview.budget.remaining)} of ${preview.budget.limit === null ? 'an unknown number' : fmtCount(preview.budget.limit)} left this hour${preview.budget.observedAt ? ` (as of ${fmtDateTime(preview.budget.observedAt)})` : ''}`
              : ''}
          </Text>
        </Group>
        <ScrollArea.Autosize mah="55vh">
          <DataTable<PushPreviewItem>
            ariaLabel="Add to CRM+ preview"
            columns={[
              { id: 'person', header: 'Person', cell: (it) => it.name },
              { id: 'email', header: 'Email', cell: (it) => it.email ?? '—' },
              {
                id: 'lookup',
                header: 'Lookup result',
                cell: (it) => (
                  <Badge color={CLASS_COLOR[it.classification]} variant="light">
                    {CLASS_LABEL[it.classification]}
                  </Badge>
                ),
              },
              {
                id: 'what',
                header: 'What happens',
                wrap: 360,
                cell: (it) => (
                  <Stack gap={4}>
                    <Text size="xs">{it.reason}</Text>
                    {it.classification === 'new' && !result && (
                      <Button size="compact-xs" variant="subtle" color="orange" w="fit-content" aria-label={`Create ${it.name} in CRM+ now`} onClick={() => setConfirmNow(it)} disabled={!!busy}>
                        Create now instead
                      </Button>
                    )}
                  </Stack>
                ),
              },
              { id: 'body', header: 'Transaction body', cell: (it) => <BodyToggle item={it} />, wrap: 420 },
            ]}
            rows={preview.items}
            rowKey={(it) => it.personId}
            rowProps={(it) => ({ 'aria-label': it.name })}
          />
        </ScrollArea.Autosize>
        {confirmNow && (
          <Alert color="orange" title={`Create ${confirmNow.name} in CRM+ now?`} aria-label="Confirm immediate creation">
            <Stack gap="xs">
              <Text size="sm">
                The direct create makes the contact at once and does no duplicate matching. Twofold looks CRM+ up again (by reference, then email) right before, and creates only if nothing is found.
              </Text>
              <Group>
                <Button color="orange" loading={busy === `now:${confirmNow.personId}`} onClick={() => submit(confirmNow.personId)}>
                  Create now
                </Button>
                <Button variant="default" onClick={() => setConfirmNow(null)}>
                  Keep the Transaction
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {busy === 'submit' && progress && (
          <Stack gap={2}>
            <Progress value={pct} aria-label="Submit progress" />
            <Text size="xs" c="dimmed">
              {progress.current} of {progress.total ?? '?'} — {progress.message}
            </Text>
          </Stack>
        )}
        {result && <ResultAlert result={result} />}
        {result && <SubmissionsPanel profileId={preview.profileId} compact />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {result ? 'Close' : 'Cancel'}
          </Button>
          {!result && (
            <Button onClick={() => submit()} loading={busy === 'submit'} disabled={toSend + toLink === 0 || !!busy}>
              {`Confirm: send ${toSend}, link ${toLink}`}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
