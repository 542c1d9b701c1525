/**
 * Restore a backup: the file and its passphrase, then what it holds (profiles, persons, last
 * sync, decisions), then — after a confirmation saying the current store is kept aside — the
 * restore itself, whose progress comes as store.job events.
 */
import { useState } from 'react';
import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { api } from '../../ipc/client';
import type { BackupSummary, StoreJob } from '../../../src-shared/domain/store';
import { BackupFileInput } from './BackupFileInput';
import { BackupSummaryTable } from './BackupSummaryTable';
import { JobProgress } from './JobProgress';

export function RestoreBackup({ job, storeFile, afterRestore }: { job: StoreJob | null; storeFile: string; afterRestore?: () => void }) {
  const [file, setFile] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [summary, setSummary] = useState<BackupSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [started, setStarted] = useState<string | null>(null);

  const preview = async () => {
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      setSummary(await api['backup.preview']({ file: file.trim(), passphrase }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const restore = async () => {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      const j = await api['backup.restore']({ file: file.trim(), passphrase, confirm: true });
      setStarted(j.id);
      setPassphrase('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const mine = job && job.kind === 'restore' && (job.id === started || job.phase === 'running') ? job : null;

  return (
    <Stack gap="sm" maw={760}>
      <BackupFileInput label="Backup file" description="A .twofold-backup file on this computer" value={file} onChange={(v) => (setFile(v), setSummary(null))} purpose="open" />
      <PasswordInput label="Backup passphrase" value={passphrase} onChange={(e) => (setPassphrase(e.currentTarget.value), setSummary(null))} autoComplete="off" />
      <Group>
        <Button variant="default" onClick={() => void preview()} loading={busy && !summary} disabled={!file.trim() || !passphrase}>
          Show what it holds
        </Button>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {summary && !mine && (
        <Stack gap="xs">
          <BackupSummaryTable summary={summary} />
          <Group>
            <Button color="orange" onClick={() => setConfirming(true)} loading={busy}>
              Restore this backup
            </Button>
          </Group>
        </Stack>
      )}
      {mine && <JobProgress job={mine} />}
      {mine?.phase === 'done' && afterRestore && (
        <Group>
          <Button onClick={afterRestore}>Open the restored store</Button>
        </Group>
      )}
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Restore this backup?">
        <Stack gap="sm">
          <Text size="sm">
            The backup becomes this computer's store. The store that is there now ({storeFile}) is kept beside it under a dated name, not deleted. Twofold closes the store while it
            restores.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="orange" onClick={() => void restore()}>
              Restore
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
