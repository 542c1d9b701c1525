import { useEffect, useState } from 'react';
import { Button, Group, Text, type ButtonProps } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api, onEvent } from '../../ipc/client';
import type { PushPreview, PushSubmitResult } from '../../../src-shared/domain/crmPush';
import type { ListFilters, ListName } from '../../../src-shared/domain/insights';
import { PreviewModal } from './PreviewModal';

export interface AddToCrmButtonProps extends Omit<ButtonProps, 'onClick' | 'children'> {
  profileId: number;
  /** The list shown (its current filters and search are applied), or… */
  list?: ListName;
  filters?: ListFilters;
  search?: string;
  /** …a hand-picked selection of person ids. */
  personIds?: string[];
  label?: string;
  onSubmitted?: (r: PushSubmitResult) => void;
}

/**
 * "Add to CRM+": looks every person up (the local CRM+ copy first, CRM+ only for what it cannot
 * settle) and opens the preview; nothing is written until the steward confirms in the preview.
 * While it looks, it says how many CRM+ requests it will spend and offers to cancel.
 */
export function AddToCrmButton({ profileId, list, filters, search, personIds, label = 'Add to CRM+', onSubmitted, ...rest }: AddToCrmButtonProps) {
  const [loading, setLoading] = useState(false);
  const [preview, setPreview] = useState<PushPreview | null>(null);
  const [plan, setPlan] = useState<string | null>(null);
  const disabled = !list && !(personIds && personIds.length);
  useEffect(
    () =>
      onEvent('task.progress', (e) => {
        if (e.task === 'crm_push' && e.profileId === profileId && e.step === 'plan') setPlan(e.message);
      }),
    [profileId],
  );

  async function open() {
    setLoading(true);
    setPlan(null);
    try {
      const input = personIds && personIds.length ? { profileId, personIds } : { profileId, list, filters, search: search || undefined };
      setPreview(await api['push.preview'](input));
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code !== 'CANCELLED') notifications.show({ color: 'red', title: 'Add to CRM+', message: e.message });
    } finally {
      setLoading(false);
      setPlan(null);
    }
  }

  return (
    <>
      <Group gap="xs" wrap="nowrap">
        <Button variant="light" {...rest} onClick={open} loading={loading} disabled={disabled || rest.disabled}>
          {label}
        </Button>
        {loading && (
          <>
            {plan && (
              <Text size="xs" c="dimmed" maw={420} data-testid="push-plan">
                {plan}
              </Text>
            )}
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => void api['push.cancelPreview']({ profileId })}>
              Cancel
            </Button>
          </>
        )}
      </Group>
      <PreviewModal preview={preview} opened={preview !== null} onClose={() => setPreview(null)} onSubmitted={onSubmitted} />
    </>
  );
}
