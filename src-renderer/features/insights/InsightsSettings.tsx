/** Settings → Insights: the lapse window, the activity window, and the outreach defaults. */
import { useEffect, useState } from 'react';
import { Button, Group, NumberInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
import type { InsightSettings as Settings } from '../../../src-shared/domain/insights';

export function InsightsSettings({ profileId }: { profileId: number }) {
  const [s, setS] = useState<Settings | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    api['insights.settings.get']({ profileId })
      .then(setS)
      .catch((e: Error) => notifications.show({ color: 'red', message: e.message }));
  }, [profileId]);
  if (!s) return <Text c="dimmed">Loading…</Text>;
  const field = (key: keyof Settings, label: string, description: string) => (
    <NumberInput label={label} description={description} min={0} max={36500} w={380} value={s[key]} onChange={(v) => setS({ ...s, [key]: v === '' ? 0 : Number(v) })} />
  );
  return (
    <Stack gap="sm" component="form" aria-label="Insight settings" onSubmit={(e) => e.preventDefault()}>
      {field('lapseDays', 'Lapse window (days)', 'A donor whose last gift is this many days old or older is lapsed.')}
      {field('activityDays', 'Activity window (days)', '"Still volunteering" means attended a VOMO participation within this many days. 0 turns the window off: every current VOMO volunteer counts.')}
      {field('recentDays', 'Recent first-time donors (days)', 'How far back "recent first-time Raise donors" looks.')}
      {field('recentlyAskedDays', 'Recently asked (days)', 'Default for exports: leave out people exported for outreach within this many days (0: off).')}
      <Group>
        <Button
          type="submit"
          loading={saving}
          onClick={async () => {
            setSaving(true);
            try {
              setS(await api['insights.settings.set']({ profileId, patch: s }));
              notifications.show({ color: 'green', message: 'Insight settings saved.' });
            } catch (e) {
              notifications.show({ color: 'red', message: (e as Error).message });
            } finally {
              setSaving(false);
            }
          }}
        >
          Save insight settings
        </Button>
      </Group>
    </Stack>
  );
}
