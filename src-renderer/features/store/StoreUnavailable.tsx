/**
 * The screen shown instead of the app when the store can't be opened: why (the message names
 * the file), and the ways out — restore a backup, or start a new store (the file is kept aside,
 * never deleted). A locked keychain or a store in use by another Twofold has no way out here
 * but fixing that and trying again.
 */
import { useState } from 'react';
import { Alert, Button, Card, Code, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { api } from '../../ipc/client';
import type { StoreJob, StoreStatus } from '../../../src-shared/domain/store';
import { RestoreBackup } from './RestoreBackup';
import { JobProgress } from './JobProgress';

const TITLES: Record<string, string> = {
  'missing-key': "The store's key is missing",
  'wrong-key': "The key doesn't open the store",
  damaged: 'The store file is damaged',
  keychain: "The keychain holding the store's key can't be reached",
  busy: 'The store is in use by another Twofold',
  'read-only': 'The store is read-only',
  newer: 'The store was written by a newer Twofold',
  'disk-full': 'The disk is full',
};

export function StoreUnavailable({ status, job, onRetry }: { status: StoreStatus; job: StoreJob | null; onRetry(): void }) {
  const [confirmNew, setConfirmNew] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const startNew = async () => {
    setConfirmNew(false);
    setBusy(true);
    try {
      await api['store.startNew']({ confirm: true });
      onRetry();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (status.state === 'restoring') {
    return (
      <Stack maw={760} mx="auto" py="xl" gap="md">
        <Title order={2}>Restoring a backup…</Title>
        {job && <JobProgress job={job} />}
      </Stack>
    );
  }

  return (
    <Stack maw={820} mx="auto" py="xl" gap="md" aria-label="Store unavailable">
      <Title order={2}>{TITLES[status.problem ?? ''] ?? 'The store cannot be opened'}</Title>
      <Alert color="red" role="alert">
        <Text size="sm">{status.message}</Text>
      </Alert>
      <Text size="sm" c="dimmed">
        Store file: <Code>{status.file}</Code>
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {status.recoverable ? (
        <>
          <Card withBorder padding="md">
            <Title order={4} mb="xs">
              Restore a backup
            </Title>
            <RestoreBackup job={job} storeFile={status.file} />
          </Card>
          <Card withBorder padding="md">
            <Title order={4} mb="xs">
              Start a new store
            </Title>
            <Text size="sm" mb="sm">
              Twofold starts empty; the current file is renamed beside it (kept, never deleted) in case its key or a repair turns up later. Merges, verdicts, conflict
              resolutions and the audit log of the old store are only in that file and in your backups.
            </Text>
            <Button color="red" variant="light" onClick={() => setConfirmNew(true)} loading={busy}>
              Start a new store
            </Button>
          </Card>
        </>
      ) : (
        <Group>
          <Button onClick={onRetry}>Try again</Button>
        </Group>
      )}
      <Modal opened={confirmNew} onClose={() => setConfirmNew(false)} title="Start a new store?">
        <Stack gap="sm">
          <Text size="sm">The current file is kept aside under a dated name and an empty store is created. You can restore a backup into it afterwards.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmNew(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => void startNew()}>
              Start a new store
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
