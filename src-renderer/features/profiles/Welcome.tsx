import { useState } from 'react';
import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ProfileForm } from './ProfileForm';
import { startSandboxProfile } from './sandboxStart';

/** First run: no profile yet. Two ways in, as ui.md describes. */
export function Welcome({ onCreated }: { onCreated: (profileId: number) => void }) {
  const [connecting, setConnecting] = useState(false);
  const [starting, setStarting] = useState(false);

  async function explore() {
    setStarting(true);
    try {
      const id = await startSandboxProfile();
      onCreated(id);
    } catch (err) {
      notifications.show({ color: 'red', title: 'The sandbox could not start', message: (err as Error).message });
    } finally {
      setStarting(false);
    }
  }

  return (
    <Stack maw={900} mx="auto" py="lg">
      <Title order={2}>Welcome to Twofold</Title>
      <Text c="dimmed">
        Twofold joins your volunteers (VOMO) with your donors (CRM+, and Raise if you use it) into one list of people, on this
        computer, so you can see who both gives and serves, who stopped giving but still volunteers, and who was never asked.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Explore with sandbox data</Title>
            <Text size="sm" c="dimmed">
              A realistic sample organization served on this computer. Nothing leaves the machine; the profile is labelled
              Sandbox so it is never mistaken for real data.
            </Text>
            <Group>
              <Button onClick={explore} loading={starting}>
                Explore with sandbox data
              </Button>
            </Group>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Connect your organization</Title>
            <Text size="sm" c="dimmed">
              Give each API's base URL now; add tokens in Settings → Connections. Tokens go to the OS keychain and are never shown
              again.
            </Text>
            {connecting ? (
              <ProfileForm onCreated={(p) => onCreated(p.id)} />
            ) : (
              <Group>
                <Button variant="default" onClick={() => setConnecting(true)}>
                  Connect your organization
                </Button>
              </Group>
            )}
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
