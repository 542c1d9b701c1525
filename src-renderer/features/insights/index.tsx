/**
 * Insights: one tab per list (the param of the route picks it: #/insights/lapsed), each a
 * ListTable, plus the export history. The engagement tab shows the score's published rules.
 */
import { List, Stack, Tabs, Text, Title } from '@mantine/core';
import type { ViewProps } from '../../app/views';
import { navigate } from '../../app/router';
import { ListTable } from './ListTable';
import { ExportHistory } from './ExportHistory';
import { SubmissionsPanel } from '../crmPush';
import { ENGAGEMENT_RULES, describeRule, type ListName } from '../../../src-shared/domain/insights';

export const INSIGHT_TABS: { list: ListName; label: string; blurb: string }[] = [
  { list: 'lapsed', label: 'Lapsed donors', blurb: 'Gave before, not lately, and still serving: a path back to giving.' },
  { list: 'top-volunteers', label: 'Never gave', blurb: 'The volunteers with the most verified hours who have never given.' },
  { list: 'donor-volunteers', label: 'Donor-volunteers', blurb: 'People who both give and serve.' },
  { list: 'volunteer-only', label: 'Volunteers only', blurb: 'People who serve and are in no donor system yet.' },
  { list: 'donors-only', label: 'Donors only', blurb: 'People who give and do not volunteer.' },
  { list: 'raise-first-time', label: 'New Raise donors', blurb: 'Volunteers whose first gift ever came through Raise, recently.' },
  { list: 'engagement', label: 'Engagement', blurb: 'Giving and serving side by side; every part of the score is shown.' },
];

export default function InsightsView({ profileId, param }: ViewProps) {
  const current = INSIGHT_TABS.some((t) => t.list === param) || param === 'exports' || param === 'crm-submissions' ? param! : 'lapsed';
  return (
    <Stack gap="md">
      <Title order={2}>Insights</Title>
      <Tabs value={current} onChange={(v) => v && navigate('insights', v)} keepMounted={false}>
        <Tabs.List>
          {INSIGHT_TABS.map((t) => (
            <Tabs.Tab key={t.list} value={t.list}>
              {t.label}
            </Tabs.Tab>
          ))}
          <Tabs.Tab value="exports">Export history</Tabs.Tab>
          <Tabs.Tab value="crm-submissions">Added to CRM+</Tabs.Tab>
        </Tabs.List>
        {INSIGHT_TABS.map((t) => (
          <Tabs.Panel key={t.list} value={t.list} pt="md">
            <Stack gap="sm">
              <Text size="sm">{t.blurb}</Text>
              {t.list === 'engagement' && (
                <List size="xs" c="dimmed" aria-label="How the engagement score is computed">
                  {ENGAGEMENT_RULES.map((r) => (
                    <List.Item key={r.key}>{describeRule(r)}</List.Item>
                  ))}
                </List>
              )}
              <ListTable profileId={profileId} list={t.list} label={t.label} />
            </Stack>
          </Tabs.Panel>
        ))}
        <Tabs.Panel value="exports" pt="md">
          <ExportHistory profileId={profileId} />
        </Tabs.Panel>
        <Tabs.Panel value="crm-submissions" pt="md">
          <SubmissionsPanel profileId={profileId} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
