/**
 * The reconciliation lag window, with the lag Twofold has actually observed beside it so the
 * steward can set the window from evidence. Mounted in the Reconciliation view and in Settings.
 */
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import type { LagStats, ReconcileSettings as Settings } from '../../../src-shared/domain/reconcile';
import { LagDistribution } from './LagDistribution';

export function ReconcileSettings({ profileId, onSaved }: { profileId: number; onSaved?: (s: Settings) => void }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [lagHours, setLagHours] = useState<number | string>(24);
  const [stats, setStats] = useState<LagStats | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const s = await api['reconcile.settings.get']({ profileId });
      setSettings(s);
      setLagHours(s.lagHours);
      setStats(await api['reconcile.lagStats']({ profileId }));
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    }
  }, [profileId]);

  useEffect(() => {
    void load();
    return onEvent('data.changed', (e) => {
      if (e.profileId === profileId && (e.scope === 'reconcile' || e.scope === 'mirrors')) void load();
    });
  }, [load, profileId]);

  const value = typeof lagHours === 'number' ? lagHours : Number(lagHours);
  const valid = Number.isFinite(value) && value >= 0 && value <= 24 * 90;
  const suggested = stats?.p95Seconds != null ? Math.max(1, Math.ceil((stats.p95Seconds * 1.5) / 3600)) : null;

  async function save(hours: number) {
    setBusy(true);
    try {
      const s = await api['reconcile.settings.set']({ profileId, lagHours: hours });
      setSettings(s);
      setLagHours(s.lagHours);
      onSaved?.(s);
      notifications.show({ message: `Lag window set to ${s.lagHours} hours` });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="md" aria-label="Reconciliation lag window">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Stack gap="xs">
          <Title order={5}>Raise → CRM+ lag window</Title>
          <Text size="sm" c="dimmed">
            A Raise gift or donor younger than this is “not yet synced”, not missing. Older and still not in CRM+, it is reported.
          </Text>
          <Group align="flex-end">
            <NumberInput label="Lag window (hours)" min={0} max={24 * 90} value={lagHours} onChange={setLagHours} w={180} />
            <Button onClick={() => save(value)} loading={busy} disabled={!valid || value === settings?.lagHours}>
              Save lag window
            </Button>
          </Group>
          {suggested !== null && suggested !== settings?.lagHours && (
            <Button variant="subtle" size="compact-sm" w="fit-content" onClick={() => setLagHours(suggested)}>
              Use {suggested} h (the 95th percentile with room to spare)
            </Button>
          )}
        </Stack>
        <LagDistribution stats={stats} lagHours={valid ? value : (settings?.lagHours ?? 24)} />
      </SimpleGrid>
    </Card>
  );
}
