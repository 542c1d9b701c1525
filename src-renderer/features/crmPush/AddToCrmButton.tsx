import { useState } from 'react';
import { Button, type ButtonProps } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { api } from '../../ipc/client';
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
 * "Add to CRM+": looks every person up in CRM+ and opens the preview; nothing is written until
 * the steward confirms in the preview.
 */
export function AddToCrmButton({ profileId, list, filters, search, personIds, label = 'Add to CRM+', onSubmitted, ...rest }: AddToCrmButtonProps) {
  const [loading, setLoading] = useState(false);
  const [preview, setPreview] = useState<PushPreview | null>(null);
  const disabled = !list && !(personIds && personIds.length);

  async function open() {
    setLoading(true);
    try {
      const input = personIds && personIds.length ? { profileId, personIds } : { profileId, list, filters, search: search || undefined };
      setPreview(await api['push.preview'](input));
    } catch (err) {
      notifications.show({ color: 'red', title: 'Add to CRM+', message: (err as Error).message });
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      <Button variant="light" {...rest} onClick={open} loading={loading} disabled={disabled || rest.disabled}>
        {label}
      </Button>
      <PreviewModal preview={preview} opened={preview !== null} onClose={() => setPreview(null)} onSubmitted={onSubmitted} />
    </>
  );
}
