/** A backup file's path: typed (the web shell runs on this computer), or picked with Electron's dialog. */
import { Button, Group, TextInput } from '@mantine/core';
import { api } from '../../ipc/client';
import { transport } from '../../ipc/transport';

export function BackupFileInput(p: { label: string; description?: string; value: string; onChange(v: string): void; purpose: 'save' | 'open' }) {
  const browse = async () => {
    const r = await api['backup.choosePath']({ purpose: p.purpose, defaultPath: p.value || undefined });
    if (r.path) p.onChange(r.path);
  };
  return (
    <Group align="flex-end" wrap="nowrap">
      <TextInput label={p.label} description={p.description} value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} style={{ flex: 1 }} spellCheck={false} />
      {transport().kind === 'electron' && (
        <Button variant="default" onClick={() => void browse()}>
          Browse…
        </Button>
      )}
    </Group>
  );
}
