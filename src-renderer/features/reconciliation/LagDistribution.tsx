import { Box, Group, Stack, Text } from '@mantine/core';
import type { LagStats } from '../../../src-shared/domain/reconcile';
import { fmtCount, fmtDuration, fmtPercent } from '../../../src-shared/format';

/** The observed Raise → CRM+ lag: median, 95th percentile and a small histogram. */
export function LagDistribution({ stats, lagHours }: { stats: LagStats | null; lagHours: number }) {
  if (!stats) return <Text c="dimmed">Loading the observed lag…</Text>;
  if (!stats.count) return <Text c="dimmed">No Raise gift has been matched to a CRM+ gift yet, so there is no observed lag to show.</Text>;
  const max = Math.max(...stats.histogram.map((h) => h.count), 1);
  const windowSeconds = lagHours * 3600;
  return (
    <Stack gap={6} aria-label="Observed lag distribution" role="group">
      <Text size="sm">
        Observed over <b>{fmtCount(stats.count)}</b> matched gifts: median <b>{fmtDuration(stats.medianSeconds)}</b>, 95th percentile{' '}
        <b>{fmtDuration(stats.p95Seconds)}</b>, longest {fmtDuration(stats.maxSeconds)}.
      </Text>
      {stats.withinWindowShare !== null && (
        <Text size="sm" c="dimmed">
          {fmtPercent(stats.withinWindowShare)} arrived inside the {fmtCount(lagHours)} h window.
        </Text>
      )}
      <Stack gap={2} role="list" aria-label="Lag histogram">
        {stats.histogram.map((h) => {
          const inside = h.upToSeconds !== null && h.upToSeconds <= windowSeconds;
          return (
            <Group key={h.label} gap="xs" wrap="nowrap" role="listitem" aria-label={`${h.label}: ${h.count}`}>
              <Text size="xs" w={70} ta="right">
                {h.label}
              </Text>
              <Box h={10} w={`${Math.max(1, (h.count / max) * 100) * 0.6}%`} bg={inside ? 'indigo.4' : 'gray.5'} style={{ borderRadius: 2 }} />
              <Text size="xs" c="dimmed">
                {fmtCount(h.count)}
              </Text>
            </Group>
          );
        })}
      </Stack>
    </Stack>
  );
}
