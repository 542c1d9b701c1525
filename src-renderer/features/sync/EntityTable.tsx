import { DataTable } from '../../components/DataTable';
import { API_LABELS, resourceLabel, type ApiName } from '../../../src-shared/domain/apis';
import type { CollectorOutcome, EntityCounts } from '../../../src-shared/domain/sync';
import { fmtCount } from '../../../src-shared/format';

type Row = [string, EntityCounts];
const n = (k: keyof EntityCounts) => (r: Row) => fmtCount(r[1][k]);

/** What the API's latest run changed, per kind of record. */
export function EntityTable({ api, outcome }: { api: ApiName; outcome: CollectorOutcome }) {
  const rows = Object.entries(outcome.entities) as Row[];
  if (!rows.length) return null;
  return (
    <DataTable<Row>
      ariaLabel={`${API_LABELS[api]} changes`}
      compact
      striped={false}
      highlightOnHover={false}
      columns={[
        { id: 'entity', header: 'Records', cell: (r) => resourceLabel(r[0]) },
        { id: 'new', header: 'New', cell: n('new'), align: 'right' },
        { id: 'updated', header: 'Updated', cell: n('updated'), align: 'right' },
        { id: 'unchanged', header: 'Unchanged', cell: n('unchanged'), align: 'right' },
        { id: 'quarantined', header: 'Set aside', cell: n('quarantined'), align: 'right' },
      ]}
      rows={rows}
      rowKey={(r) => r[0]}
    />
  );
}
