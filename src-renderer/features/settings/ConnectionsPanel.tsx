import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Card, Code, Group, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, call, onEvent } from '../../ipc/client';
import type { SandboxState } from '../../../src-shared/ipc/channels/sandbox';
import { fmtDateTime } from '../../../src-shared/format';
import { useProfiles } from '../../app/useProfiles';
import { API_LABELS, API_NAMES, type ApiName } from '../../../src-shared/domain/apis';
import type { Profile } from '../../../src-shared/domain/profile';
import type { ConnectionTestResult } from '../../../src-shared/domain/sync';

const STATUS: Record<string, { label: string; color: string }> = {
  available: { label: 'available', color: 'green' },
  unavailable: { label: 'not available', color: 'yellow' },
  forbidden: { label: 'forbidden', color: 'orange' },
  failed: { label: 'failed', color: 'red' },
};

/** The check's answer per resource, and the rate-limit headers the server sent. */
function CheckResult({ r }: { r: ConnectionTestResult }) {
  const h = r.rateLimit;
  return (
    <Stack gap={4} role="status" aria-label={`${API_LABELS[r.api]} check`}>
      <Text size="sm" c={r.ok ? 'green' : 'red'}>
        {r.message}
      </Text>
      {r.resources.length > 0 && (
        <Table fz="xs" withRowBorders={false} aria-label={`${API_LABELS[r.api]} resources`}>
          <Table.Tbody>
            {r.resources.map((x) => (
              <Table.Tr key={x.resource}>
                <Table.Td>{x.resource}</Table.Td>
                <Table.Td>
                  <Badge size="xs" color={STATUS[x.status]?.color ?? 'gray'} variant="light">
                    {STATUS[x.status]?.label ?? x.status}
                    {x.httpStatus && x.status !== 'available' ? ` (${x.httpStatus})` : ''}
                  </Badge>
                </Table.Td>
                <Table.Td>{x.required ? 'required' : 'optional'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {r.resources.length > 0 && (
        <Text size="xs" c="dimmed">
          {h
            ? `Rate-limit headers: ${[h.limit !== null ? `X-RateLimit-Limit ${h.limit}` : null, h.remaining !== null ? `X-RateLimit-Remaining ${h.remaining}` : null, h.resetAt ? `X-RateLimit-Reset ${new Date(h.resetAt).toLocaleTimeString()}` : null].filter(Boolean).join(', ')}`
            : 'The server sent no rate-limit headers.'}
          {r.pacing ? ` Pace: ${r.pacing}.` : ''}
        </Text>
      )}
    </Stack>
  );
}

const URL_FIELD: Record<ApiName, 'vomoUrl' | 'crmUrl' | 'raiseUrl'> = { vomo: 'vomoUrl', crm: 'crmUrl', raise: 'raiseUrl' };

function ConnectionCard({ profile, apiName }: { profile: Profile; apiName: ApiName }) {
  const label = API_LABELS[apiName];
  const [url, setUrl] = useState(profile[URL_FIELD[apiName]] ?? '');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<ConnectionTestResult | null>(null);
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
        setTestResult((await call('connections.test', { profileId: profile.id, api: apiName })) as ConnectionTestResult);
      } catch (err) {
        setTestResult({ api: apiName, ok: false, code: null, message: (err as Error).message, ms: 0, resources: [], rateLimit: null, pacing: null });
      }
    });

  if (profile.isSandbox) {
    return (
      <Card withBorder padding="md" aria-label={`${label} connection`}>
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={5}>{label}</Title>
            <Badge color="green" variant="light" title="Sandbox tokens are derived from the sandbox's seed in every Twofold process; nothing is stored">
              Sandbox token
            </Badge>
          </Group>
          <Text size="sm">
            Base URL: <Code>{profile[URL_FIELD[apiName]] ?? 'not started yet'}</Code>
          </Text>
          <Group>
            <Button variant="light" onClick={test} loading={busy === 'test'} title="Calls each resource the sync reads once">
              Check
            </Button>
          </Group>
          {testResult && <CheckResult r={testResult} />}
        </Stack>
      </Card>
    );
  }

  return (
    <Card withBorder padding="md" aria-label={`${label} connection`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>{label}</Title>
          {profile.tokens[apiName] ? <Badge color="green" variant="light">Token stored</Badge> : <Badge color="gray" variant="light">No token</Badge>}
        </Group>
        <Group align="flex-end">
          <TextInput label={`${label} base URL`} value={url} onChange={(e) => setUrl(e.currentTarget.value)} style={{ flex: 1 }} />
          <Button variant="default" onClick={saveUrl} loading={busy === 'url'}>
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
          <Button variant="light" onClick={test} loading={busy === 'test'} disabled={!profile.tokens[apiName]} title="Calls each resource the sync reads once">
            Check
          </Button>
          <Button variant="subtle" color="red" onClick={removeToken} loading={busy === 'remove'} disabled={!profile.tokens[apiName]}>
            Remove token
          </Button>
        </Group>
        {testResult && <CheckResult r={testResult} />}
      </Stack>
    </Card>
  );
}

const SHELL_WORDS: Record<string, string> = { web: 'the Twofold app (web)', electron: 'the Twofold app', cli: 'the twofold command line', test: 'a test' };

/**
 * Who serves the sandbox's three APIs, and the fix when nobody does: the servers start by
 * themselves before the next sync, or now with one click.
 */
function SandboxServers({ profileId }: { profileId: number }) {
  const [state, setState] = useState<SandboxState | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    api['sandbox.status']({ profileId })
      .then(setState)
      .catch(() => setState(null));
  }, [profileId]);
  useEffect(() => {
    load();
    const t = setInterval(load, 10_000);
    const off = onEvent('profiles.changed', load);
    return () => {
      clearInterval(t);
      off();
    };
  }, [load]);
  const start = async () => {
    setBusy(true);
    try {
      setState(await api['sandbox.ensure']({ profileId }));
      notifications.show({ message: "The sandbox's servers are running" });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  if (!state) return null;
  if (!state.running)
    return (
      <Alert color="yellow" title="The sandbox's servers are not running" aria-label="Sandbox servers">
        <Stack gap="xs">
          <Text size="sm">The Twofold process that served them has closed. They start again by themselves before the next sync, where the sandbox left off{state.clock ? ` (sandbox time ${fmtDateTime(state.clock)})` : ''}.</Text>
          <Group>
            <Button size="xs" onClick={start} loading={busy}>
              Start the sandbox servers now
            </Button>
          </Group>
        </Stack>
      </Alert>
    );
  return (
    <Alert color="blue" title="The sandbox's servers are running" aria-label="Sandbox servers">
      <Text size="sm">
        {state.owner === 'this-process'
          ? 'They run inside this Twofold, on this computer.'
          : `They run in ${SHELL_WORDS[state.ownerShell ?? ''] ?? 'another Twofold process'} (process ${state.ownerPid}); this window uses them and leaves them to it.`}{' '}
        Sandbox time: {fmtDateTime(state.clock)}.
      </Text>
    </Alert>
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
      {profile.isSandbox && <SandboxServers profileId={profile.id} />}
      {API_NAMES.map((a) => (
        <ConnectionCard key={a} profile={profile} apiName={a} />
      ))}
    </Stack>
  );
}
