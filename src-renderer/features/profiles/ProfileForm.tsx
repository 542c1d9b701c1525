import { useState } from 'react';
import { Button, Group, Stack, TextInput } from '@mantine/core';
import { api, IpcError } from '../../ipc/client';
import type { Profile } from '../../../src-shared/domain/profile';

/** Add an organization: a name and the base URL of each API (Raise optional). */
export function ProfileForm({ onCreated }: { onCreated?: (p: Profile) => void }) {
  const [name, setName] = useState('');
  const [vomoUrl, setVomoUrl] = useState('https://api.vomo.org/v1');
  const [crmUrl, setCrmUrl] = useState('https://api.virtuoussoftware.com');
  const [raiseUrl, setRaiseUrl] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  // Editing a field clears what was said about it (and the form-wide message), never others'.
  const edit = (key: string, set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.currentTarget.value);
    if (errors[key] || errors.form) {
      const { [key]: _gone, form: _form, ...rest } = errors;
      setErrors(rest);
    }
  };

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const p = await api['profiles.add']({ name, vomoUrl, crmUrl, raiseUrl: raiseUrl.trim() || null });
      setName('');
      onCreated?.(p);
    } catch (err) {
      if (err instanceof IpcError && err.issues?.length) {
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
      } else setErrors({ form: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add profile">
      <Stack gap="xs" maw={520}>
        <TextInput label="Organization name" required value={name} onChange={edit('name', setName)} error={errors.name ?? errors.form} />
        <TextInput label="VOMO base URL" required value={vomoUrl} onChange={edit('vomoUrl', setVomoUrl)} error={errors.vomoUrl} />
        <TextInput label="CRM+ base URL" required value={crmUrl} onChange={edit('crmUrl', setCrmUrl)} error={errors.crmUrl} />
        <TextInput
          label="Raise base URL (optional)"
          placeholder="https://prod-api.raisedonors.com"
          value={raiseUrl}
          onChange={edit('raiseUrl', setRaiseUrl)}
          error={errors.raiseUrl}
        />
        <Group>
          <Button type="submit" loading={busy}>
            Add profile
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
