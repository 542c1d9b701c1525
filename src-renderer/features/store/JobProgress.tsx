/** A backup or restore under way, or how it ended. */
import { Alert, Button, Group, Progress, Text } from '@mantine/core';
import { api } from '../../ipc/client';
import type { StoreJob } from '../../../src-shared/domain/store';
import { formatBytes } from './useStoreStatus';

export function JobProgress({ job }: { job: StoreJob }) {
  const label = job.kind === 'backup' ? 'Backup' : 'Restore';
  if (job.phase === 'running') {
    const pct = job.totalBytes ? Math.min(99, Math.round((100 * job.bytes) / job.totalBytes)) : 0;
    return (
      <Alert color="blue" title={`${label} running…`} role="status">
        <Progress value={pct} aria-label={`${label} progress`} mb="xs" />
        <Group justify="space-between">
          <Text size="sm">
            {formatBytes(job.bytes)} of about {formatBytes(job.totalBytes)} — {job.file}
          </Text>
          <Button size="xs" variant="default" onClick={() => void api['backup.cancel']({ jobId: job.id })}>
            Cancel
          </Button>
        </Group>
      </Alert>
    );
  }
  if (job.phase === 'done') {
    return (
      <Alert color="green" title={`${label} finished`} role="status">
        {job.kind === 'backup' ? (
          <Text size="sm">
            Written to {job.file} ({formatBytes(job.bytes)}). Keep the passphrase somewhere safe: without it the backup cannot be opened.
          </Text>
        ) : (
          <Text size="sm">
            Restored from {job.file}.{job.previousStore ? ` The store that was here is kept as ${job.previousStore}.` : ''} Enter the API tokens again in Settings → Connections.
          </Text>
        )}
      </Alert>
    );
  }
  return (
    <Alert color={job.phase === 'cancelled' ? 'gray' : 'red'} title={job.phase === 'cancelled' ? `${label} cancelled` : `${label} failed`} role="alert">
      <Text size="sm">{job.message ?? 'Nothing was changed.'}</Text>
    </Alert>
  );
}
