/**
 * "Export CSV": what will be exported (rows, columns, filters), the outreach options, and after
 * the export, how many rows went out and how many were left out and why. The web shell gets a
 * download; Electron asks where to save.
 */
import { useEffect, useState } from 'react';
import { Alert, Anchor, Button, Checkbox, Group, Modal, NumberInput, Stack, Text } from '@mantine/core';
import { api } from '../../ipc/client';
import { downloadUrl, startDownload, transport } from '../../ipc/transport';
import { COLUMN_LABELS, describeFilters, type ColumnKey, type ExportResult, type ListFilters, type ListName, type ListSort } from '../../../src-shared/domain/insights';
import { fmtCount, fmtDay, fmtMoney, plural } from '../../../src-shared/format';
import { UnencryptedExportNote } from '../store/UnencryptedExportNote';
import { useJobs } from '../jobs/useJobs';
import { JobProgress } from '../jobs/JobProgress';

export interface ExportDialogProps {
  opened: boolean;
  onClose(): void;
  profileId: number;
  list: ListName;
  title: string;
  columns: ColumnKey[];
  filters: ListFilters;
  search?: string;
  sort?: ListSort;
  total: number | null;
}

export function ExportDialog(p: ExportDialogProps) {
  const [excludeOptedOut, setExcludeOptedOut] = useState(true);
  const [outreach, setOutreach] = useState(true);
  const [recentDays, setRecentDays] = useState<number | ''>('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { active } = useJobs(p.profileId);
  const exporting = busy ? active('export') : undefined;

  useEffect(() => {
    if (!p.opened) return;
    setResult(null);
    setError(null);
    api['insights.settings.get']({ profileId: p.profileId })
      .then((s) => setRecentDays(s.recentlyAskedDays || ''))
      .catch(() => undefined);
  }, [p.opened, p.profileId]);

  const columns: ColumnKey[] = ['personId', ...(['firstName', 'lastName'] as ColumnKey[]).filter((c) => !p.columns.includes(c)), ...p.columns];

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await api['exports.create']({
        profileId: p.profileId,
        list: p.list,
        columns,
        filters: p.filters,
        search: p.search,
        sort: p.sort,
        excludeOptedOut,
        excludeRecentlyAskedDays: recentDays === '' ? 0 : recentDays,
        outreach,
      });
      setResult(r);
      if (r.downloadId) startDownload(r.downloadId, r.fileName);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const filterText = describeFilters({ ...p.filters, search: p.search }, { money: fmtMoney, count: fmtCount, day: fmtDay }).join(', ');

  return (
    <Modal opened={p.opened} onClose={p.onClose} title={`Export CSV — ${p.title}`} size="lg">
      <Stack gap="sm">
        <Text size="sm">
          {p.total === null ? 'Counting rows…' : `${plural(p.total, 'row')} match`}
          {filterText ? ` (filters: ${filterText})` : ' (no filters)'}.
        </Text>
        <Text size="xs" c="dimmed">
          Columns: {columns.map((c) => COLUMN_LABELS[c]).join(', ')}
        </Text>
        <Checkbox label="Leave out email addresses that are not opted in" checked={excludeOptedOut} onChange={(e) => setExcludeOptedOut(e.currentTarget.checked)} />
        <NumberInput
          label="Leave out people exported for outreach within (days)"
          description="0 or empty: keep everyone"
          min={0}
          max={3650}
          w={320}
          value={recentDays}
          onChange={(v) => setRecentDays(v === '' ? '' : Number(v))}
        />
        <Checkbox label="This is an outreach export (count these people as asked)" checked={outreach} onChange={(e) => setOutreach(e.currentTarget.checked)} />
        <UnencryptedExportNote writtenTo={result && !result.cancelled ? result.filePath : null} />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {result && !result.cancelled && (
          <Alert color="green" title="Export finished" role="status">
            <Text size="sm">
              Exported {plural(result.rowCount, 'row')}.
            </Text>
            <Text size="sm">
              Left out {plural(result.excludedOptedOut, 'email address', 'email addresses')} (not opted in) and {plural(result.excludedRecentlyAsked, 'person', 'people')} (recently asked).
            </Text>
            {result.downloadId ? (
              <Anchor href={downloadUrl(result.downloadId)} download={result.fileName} size="sm">
                Download {result.fileName}
              </Anchor>
            ) : (
              <Text size="sm">Saved to {result.filePath}</Text>
            )}
          </Alert>
        )}
        {exporting && <JobProgress job={exporting} label="Exporting" />}
        {result?.cancelled && <Text size="sm">Export cancelled: no file was written.</Text>}
        <Group justify="flex-end">
          <Button variant="default" onClick={p.onClose}>
            Close
          </Button>
          <Button onClick={run} loading={busy}>
            {transport().kind === 'electron' ? 'Save CSV…' : 'Export'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
