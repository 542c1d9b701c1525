import { useEffect, useState } from 'react';
import { Badge, Button, Card, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, call } from '../../ipc/client';
import { useProfiles } from '../../app/useProfiles';
import { API_LABELS, API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { Profile } from '../../../src-shared/domain/profile';

const URL_FIELD: Record<ApiName, 'vomoUrl' | 'crmUrl' | 'raiseUrl'> = { vomo: 'vomoUrl', crm: 'crmUrl', raise: 'raiseUrl' };

function ConnectionCard({ profile, apiName }: { profile: Profile; apiName: ApiName }) {
  const label = API_LABELS[apiName];
  const [url, setUrl] = useState(profile[URL_FIELD[apiName]] ?? '');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => setUrl(profile[URL_FIELD[apiName]] ?? ''), [profile, apiName]);

  async function run(what: string, fn: () => Promise<void>) {
    setBusy(what);
    try {
      await fn();
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setBusy(null);
    }
  }

  const saveUrl = () =>
    run('url', async () => {
      await api['profiles.update']({ profileId: profile.id, patch: { [URL_FIELD[apiName]]: url.trim() || null } as never });
      notifications.show({ message: `${label} base URL saved` });
    });
  const saveToken = () =>
    run('token', async () => {
      await api['secrets.set']({ profileId: profile.id, api: apiName, token });
      setToken('');
      notifications.show({ message: `${label} token saved to the OS keychain` });
    });
  const removeToken = () =>
    run('remove', async () => {
      await api['secrets.delete']({ profileId: profile.id, api: apiName });
      notifications.show({ message: `${label} token removed from the OS keychain` });
    });
  const test = () =>
    run('test', async () => {
      setTestResult(null);
      try {
        const r = (await call('connections.test' as never, { profileId: profile.id, api: apiName } as never)) as { ok: boolean; message: string };
        setTestResult(r);
      } catch (err) {
        setTestResult({ ok: false, message: (err as Error).message });
      }
    });

  return (
    <Card withBorder padding="md" aria-label={`${label} connection`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>{label}</Title>
          {profile.tokens[apiName] ? <Badge color="green">Token stored</Badge> : <Badge color="gray">No token</Badge>}
        </Group>
        <Group align="flex-end">
          <TextInput label={`${label} base URL`} value={url} onChange={(e) => setUrl(e.currentTarget.value)} style={{ flex: 1 }} disabled={profile.isSandbox} />
          <Button variant="default" onClick={saveUrl} loading={busy === 'url'} disabled={profile.isSandbox}>
            Save URL
          </Button>
        </Group>
        <Group align="flex-end">
          <PasswordInput
            label={`${label} token`}
            description="Written to the OS keychain; Twofold never shows it again."
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            style={{ flex: 1 }}
            autoComplete="off"
          />
          <Button onClick={saveToken} loading={busy === 'token'} disabled={!token.trim()}>
            Save token
          </Button>
        </Group>
        <Group>
          <Button variant="light" onClick={test} loading={busy === 'test'} disabled={!profile.tokens[apiName]}>
            Test connection
          </Button>
          <Button variant="subtle" color="red" onClick={removeToken} loading={busy === 'remove'} disabled={!profile.tokens[apiName]}>
            Remove token
          </Button>
          {testResult && (
            <Text size="sm" c={testResult.ok ? 'green' : 'red'} role="status">
              {testResult.message}
            </Text>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

export function ConnectionsPanel({ profileId }: { profileId: number }) {
  const { profiles } = useProfiles();
  const profile = profiles?.find((p) => p.id === profileId);
  if (!profile) return <Text c="dimmed">Choose or add a profile first.</Text>;
  return (
    <Stack>
      <Text c="dimmed" size="sm">
        {profile.isSandbox
          ? 'This is the sandbox organization: its APIs run on this computer and its tokens were set for you.'
          : 'Each API has its own token, issued by that system. A token problem in one never stops the others.'}
      </Text>
      {API_NAMES.map((a) => (
        <ConnectionCard key={a} profile={profile} apiName={a} />
      ))}
    </Stack>
  );
}
