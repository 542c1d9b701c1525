/**
 * Settings → Backups: how the store is protected, a backup now (one file, encrypted with a
 * passphrase the steward types, taken while the app keeps running), a restore, and the export
 * files (unencrypted CSVs) that still exist on this computer.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Checkbox, Code, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { api } from '../../ipc/client';
import { useStoreStatus } from './useStoreStatus';
import { BackupFileInput } from './BackupFileInput';
import { JobProgress } from './JobProgress';
import { RestoreBackup } from './RestoreBackup';
import { ExportFiles } from './ExportFiles';

function defaultBackupPath(folder: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${folder}${sep}twofold-${stamp}.twofold-backup`;
}

export function BackupsPanel({ profileId }: { profileId: number }) {
  const { status, job } = useStoreStatus();
  const [file, setFile] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  useEffect(() => {
    if (status && !file) setFile(defaultBackupPath(status.backupFolder));
  }, [status, file]);
  const backupJob = job && job.kind === 'backup' && (job.id === started || job.phase === 'running') ? job : null;
  // A finished backup's name is taken: offer a new dated one for the next.
  useEffect(() => {
    if (backupJob?.phase === 'done' && status) setFile(defaultBackupPath(status.backupFolder));
  }, [backupJob?.phase, status]);
  if (!status) return <Text c="dimmed">Loading…</Text>;

  const backup = async () => {
    setError(null);
    try {
      const j = await api['backup.create']({ file: file.trim(), passphrase, overwrite });
      setStarted(j.id);
      setPassphrase('');
      setAgain('');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const mismatch = again.length > 0 && again !== passphrase;

  return (
    <Stack gap="lg" maw={860}>
      <Card withBorder padding="md" aria-label="How the store is protected">
        <Title order={4} mb="xs">
          The store on this computer
        </Title>
        <Text size="sm">
          <Code>{status.file}</Code>
        </Text>
        <Text size="sm" mt="xs">
          {status.encrypted
            ? `Encrypted (SQLCipher, AES-256) with a key kept in ${status.keySource}; the key is never written to disk. Without that key — a reset keychain, another user account, a new laptop — the store can only be replaced from a backup.`
            : 'Not encrypted yet: it is encrypted the next time Twofold opens it with write access.'}
          {status.readOnly ? ` Read-only: ${status.readOnly}.` : ''}
        </Text>
      </Card>

      <Card withBorder padding="md" aria-label="Back up">
        <Title order={4} mb="xs">
          Back up
        </Title>
        <Text size="sm" mb="sm">
          One file with everything in the store — profiles, synced records, persons, merges, verdicts, conflict resolutions, the audit and export logs — encrypted with the
          passphrase you type here. Twofold keeps running while it is written. Keep it off this computer (a USB drive, the organization's file share) to survive a lost laptop.
        </Text>
        <Stack gap="sm">
          <BackupFileInput label="Backup file" value={file} onChange={setFile} purpose="save" />
          <Group grow align="flex-start">
            <PasswordInput label="Passphrase" description="At least 8 characters. It cannot be recovered." value={passphrase} onChange={(e) => setPassphrase(e.currentTarget.value)} autoComplete="new-password" />
            <PasswordInput label="Passphrase again" value={again} onChange={(e) => setAgain(e.currentTarget.value)} error={mismatch ? 'The two passphrases differ' : undefined} autoComplete="new-password" />
          </Group>
          <Checkbox label="Replace the file if it exists" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
          <Group>
            <Button onClick={() => void backup()} disabled={!file.trim() || passphrase.length < 8 || again !== passphrase || backupJob?.phase === 'running'}>
              Back up now
            </Button>
          </Group>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {backupJob && <JobProgress job={backupJob} />}
        </Stack>
      </Card>

      <Card withBorder padding="md" aria-label="Restore">
        <Title order={4} mb="xs">
          Restore a backup
        </Title>
        <Text size="sm" mb="sm">
          On a new laptop, or after a mistake: the backup replaces this store, which is kept aside under a dated name. API tokens are not in backups.
        </Text>
        <RestoreBackup job={job} storeFile={status.file} afterRestore={() => window.location.reload()} />
      </Card>

      {profileId ? <ExportFiles profileId={profileId} /> : null}
    </Stack>
  );
}
