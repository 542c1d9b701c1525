/**
 * Field authority matrix (field × system) and the default phone region, per profile. Saving
 * rebuilds the join so display values and conflicts follow. Exported for the Settings view too.
 */
import { useEffect, useState } from 'react';
import { Button, Group, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import type { IdentitySettings } from '../../../src-shared/domain/identity';

const FIELDS = [
  ['email', 'Email'],
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['phone', 'Phone'],
] as const;

export function AuthoritySettings({ profileId }: { profileId: number }) {
  const [s, setS] = useState<IdentitySettings | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api['identity.settings.get']({ profileId }).then(setS, (err: Error) => notifications.show({ color: 'red', message: err.message }));
  }, [profileId]);
  if (!s) return null;
  const save = async () => {
    setBusy(true);
    try {
      setS(await api['identity.settings.set']({ profileId, settings: s }));
      notifications.show({ message: 'Field authority saved; display values and conflicts follow it now' });
    } catch (err) {
      notifications.show({ color: 'red', title: 'Not saved', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Which system's value Twofold shows for each field when both have one.
      </Text>
      <Table withRowBorders={false} aria-label="Field authority">
        <Table.Tbody>
          {FIELDS.map(([key, label]) => (
            <Table.Tr key={key}>
              <Table.Td w={140}>{label}</Table.Td>
              <Table.Td>
                <SegmentedControl
                  size="xs"
                  aria-label={`Authority for ${label}`}
                  value={s.fieldAuthority[key]}
                  onChange={(v) => setS({ ...s, fieldAuthority: { ...s.fieldAuthority, [key]: v as 'vomo' } })}
                  data={[
                    { value: 'vomo', label: 'VOMO' },
                    { value: 'crm', label: 'CRM+' },
                    { value: 'raise', label: 'Raise' },
                  ]}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="flex-end">
        <TextInput
          label="Default phone region"
          description="Two-letter country code for numbers written without one"
          value={s.defaultPhoneRegion}
          maxLength={2}
          w={220}
          onChange={(e) => setS({ ...s, defaultPhoneRegion: e.currentTarget.value.toUpperCase() })}
        />
        <Button onClick={() => void save()} loading={busy}>
          Save field authority
        </Button>
      </Group>
    </Stack>
  );
}
