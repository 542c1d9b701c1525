import { useState } from 'react';
import { Badge, Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { DataTable } from '../../components/DataTable';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import { useProfiles } from '../../app/useProfiles';
import { ProfileForm } from './ProfileForm';
import type { Profile } from '../../../src-shared/domain/profile';

export function ProfilesPanel() {
  const { profiles, choose } = useProfiles();
  const [removing, setRemoving] = useState<Profile | null>(null);

  async function remove(p: Profile) {
    try {
      await api['profiles.remove']({ profileId: p.id });
      notifications.show({ message: `Removed profile "${p.name}"` });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setRemoving(null);
    }
  }

  return (
    <Stack>
      <Title order={3}>Profiles</Title>
      <Text c="dimmed" size="sm">
        A profile is one organization: where its VOMO, CRM+ and Raise live. Tokens are kept in the OS keychain.
      </Text>
      {profiles && profiles.length > 0 ? (
        <DataTable<Profile>
          ariaLabel="Profiles"
          withTableBorder
          columns={[
            {
              id: 'name',
              header: 'Name',
              cell: (p) => (
                <Group gap="xs" wrap="nowrap" preventGrowOverflow={false}>
                  <Text fw={500}>{p.name}</Text>
                  {p.isSandbox && (
                    <Badge color="orange" variant="light">
                      Sandbox
                    </Badge>
                  )}
                </Group>
              ),
            },
            { id: 'vomo', header: 'VOMO', cell: (p) => p.vomoUrl ?? '—' },
            { id: 'crm', header: 'CRM+', cell: (p) => p.crmUrl ?? '—' },
            { id: 'raise', header: 'Raise', cell: (p) => p.raiseUrl ?? '—' },
            {
              id: 'actions',
              header: 'Actions',
              cell: (p) => (
                <Group gap="xs" justify="flex-end" wrap="nowrap" preventGrowOverflow={false}>
                  <Button size="xs" variant="default" onClick={() => choose(p.id)}>
                    Open
                  </Button>
                  <Button size="xs" color="red" variant="light" aria-label={`Remove ${p.name}`} onClick={() => setRemoving(p)}>
                    Remove
                  </Button>
                </Group>
              ),
            },
          ]}
          rows={profiles}
          rowKey={(p) => String(p.id)}
        />
      ) : (
        <Text c="dimmed">No profiles yet.</Text>
      )}
      <Title order={4} mt="md">
        Add a profile
      </Title>
      <ProfileForm
        onCreated={(p) => {
          notifications.show({ message: `Added profile "${p.name}"` });
          choose(p.id);
        }}
      />
      <Modal opened={!!removing} onClose={() => setRemoving(null)} title="Remove profile?">
        <Text>
          Remove "{removing?.name}", its tokens and all its local data? The organization's own systems are not touched.
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setRemoving(null)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => removing && remove(removing)}>
            Remove
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
