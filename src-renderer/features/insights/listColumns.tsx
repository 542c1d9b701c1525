/** How each list column reads in the table: the same figures, written by the one formatting module. */
import { Anchor, Badge, Group, Text, Tooltip } from '@mantine/core';
import { navigate } from '../../app/router';
import { COLUMN_LABELS, COLUMN_SORT, ENGAGEMENT_COLUMN_KEYS, type ColumnKey, type InsightRow, type ListInfo } from '../../../src-shared/domain/insights';
import { fmtCount, fmtDay, fmtHours, fmtMoney } from '../../../src-shared/format';
import type { DataColumn } from '../../components/DataTable';
import { SystemBadges } from '../../components/SystemBadges';

export function OptedOutBadge() {
  return (
    <Tooltip label="This address is opted out: outreach exports leave it out">
      <Badge size="sm" color="orange" variant="outline">
        opted out
      </Badge>
    </Tooltip>
  );
}

function cellOf(row: InsightRow, col: ColumnKey) {
  const e = row.engagement;
  switch (col) {
    case 'personId':
      return (
        <Text size="xs" ff="monospace">
          {row.personId}
        </Text>
      );
    case 'firstName':
      return row.firstName ?? '';
    case 'lastName':
      return row.lastName ?? '';
    case 'email':
      return (
        <Group gap={6} wrap="nowrap" preventGrowOverflow={false}>
          <span>{row.email ?? '—'}</span>
          {row.emailOptedIn === false && <OptedOutBadge />}
        </Group>
      );
    case 'phone':
      return row.phone ?? '—';
    case 'systems':
      return <SystemBadges vomo={row.hasVomo} crm={row.hasCrm} raise={row.hasRaise} />;
    case 'emailOptedIn':
      return row.emailOptedIn === null ? 'unknown' : row.emailOptedIn ? 'yes' : 'opted out';
    case 'lifetimeGivingCents':
      return fmtMoney(row.lifetimeGivingCents);
    case 'giftCount':
      return fmtCount(row.giftCount);
    case 'firstGiftDate':
      return fmtDay(row.firstGiftDate);
    case 'lastGiftDate':
      return fmtDay(row.lastGiftDate);
    case 'firstRaiseGiftDate':
      return fmtDay(row.firstRaiseGiftDate);
    case 'verifiedHours':
      return fmtHours(row.verifiedHours);
    case 'totalHours':
      return fmtHours(row.totalHours);
    case 'participations':
      return fmtCount(row.participations);
    case 'verifiedParticipations':
      return fmtCount(row.verifiedParticipations);
    case 'lastParticipationAt':
      return fmtDay(row.lastParticipationAt);
    case 'crmUrl':
      return row.crmUrl ? (
        <Anchor href={row.crmUrl} target="_blank" rel="noopener noreferrer" size="sm" aria-label={`View ${row.displayName} in CRM+`}>
          View in CRM+
        </Anchor>
      ) : (
        '—'
      );
    case 'score':
      return e ? (
        <Tooltip
          multiline
          w={280}
          label={`Giving ${e.givingRecencyPts}+${e.givingFrequencyPts}+${e.givingAmountPts} (recency, frequency, amount) · Serving ${e.servingRecencyPts}+${e.servingHoursPts}+${e.servingCountPts} (recency, hours, count)`}
        >
          <Text size="sm" fw={600} span>
            {e.score}
          </Text>
        </Tooltip>
      ) : (
        '—'
      );
    default:
      return e ? String(e[col]) : '—';
  }
}

const RIGHT = new Set<ColumnKey>([
  'lifetimeGivingCents',
  'giftCount',
  'verifiedHours',
  'totalHours',
  'participations',
  'verifiedParticipations',
  ...ENGAGEMENT_COLUMN_KEYS,
]);

/** Name first (it opens the person), then the chosen columns; sortable where the list allows. */
export function listColumns(info: ListInfo, cols: ColumnKey[]): DataColumn<InsightRow>[] {
  const sortable = (c: ColumnKey) => {
    const key = COLUMN_SORT[c];
    return !!key && info.sortKeys.includes(key) && c !== 'firstName';
  };
  const first = (c: ColumnKey): 'asc' | 'desc' => (COLUMN_SORT[c] === 'name' || COLUMN_SORT[c] === 'email' ? 'asc' : 'desc');
  return [
    {
      id: 'name',
      header: 'Name',
      cell: (r) => (
        <Anchor component="button" type="button" size="sm" ta="left" style={{ whiteSpace: 'nowrap' }} onClick={() => navigate('person', r.personId)}>
          {r.displayName}
        </Anchor>
      ),
    },
    ...cols.map(
      (c): DataColumn<InsightRow> => ({
        id: c,
        header: COLUMN_LABELS[c],
        cell: (r) => cellOf(r, c),
        align: RIGHT.has(c) ? 'right' : 'left',
        sortFirst: sortable(c) ? first(c) : undefined,
      }),
    ),
  ];
}
