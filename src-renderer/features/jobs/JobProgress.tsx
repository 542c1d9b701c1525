/** One long job: its step and progress bar, and a Cancel button while it is queued or running. */
import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import type { JobInfo } from '../../../src-shared/domain/jobs';
import { api } from '../../ipc/client';

const STEP_LABELS: Record<string, string> = {
  records: 'reading the changed records',
  join: 'joining records into persons',
  persons: 'writing persons',
  links: 'writing links',
  lineage: 'email lineage',
  measures: 'measures',
  counts: 'counting each list',
  conflicts: 'conflicts',
  evaluate: 'the persons\u2019 conflicts again',
  indexes: 'indexes',
  splits: 'split candidates',
  select: 'selecting the rows',
  sort: 'sorting the rows, part by part',
  merge: 'merging the sorted parts',
  write: 'writing the file',
  record: 'logging the export',
};

export function jobStepText(j: JobInfo): string {
  if (j.state === 'queued') return 'waiting for the job before it';
  if (j.state === 'done') return 'done';
  if (j.state === 'cancelled') return 'cancelled; nothing was changed';
  if (j.state === 'failed') return j.error?.message ?? 'failed';
  const step = j.step ? (STEP_LABELS[j.step] ?? j.step) : 'starting';
  return j.total ? `${step} (${j.done.toLocaleString('en-US')} of ${j.total.toLocaleString('en-US')})` : step;
}

export function JobProgress({ job, label }: { job: JobInfo; label?: string }) {
  const live = job.state === 'queued' || job.state === 'running';
  const pct = job.state === 'done' ? 100 : job.total ? Math.min(100, (job.done / job.total) * 100) : null;
  return (
    <Stack gap={4} aria-label={`${label ?? job.label} progress`} data-testid={`job-${job.kind}`} data-state={job.state}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          {label ?? job.label}
        </Text>
        {live && (
          <Button size="compact-xs" color="red" variant="light" onClick={() => void api['jobs.cancel']({ jobId: job.id })} disabled={job.message === 'Cancelling…'}>
            Cancel
          </Button>
        )}
      </Group>
      <Progress value={pct ?? 100} animated={live} striped={pct === null && live} color={job.state === 'failed' ? 'red' : job.state === 'cancelled' ? 'yellow' : undefined} />
      <Text size="xs" c="dimmed" data-testid={`job-${job.kind}-step`}>
        {jobStepText(job)}
      </Text>
    </Stack>
  );
}
