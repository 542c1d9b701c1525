import { Badge, Group } from '@mantine/core';

/** The systems a person is in, in the colours the overview uses for them. */
export const SYSTEM_COLOR = { vomo: 'teal', crm: 'indigo', raise: 'grape' } as const;

export function SystemBadges({ vomo, crm, raise, size = 'sm' }: { vomo: boolean; crm: boolean; raise: boolean; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Group gap={4} wrap="nowrap" preventGrowOverflow={false}>
      {vomo && (
        <Badge size={size} color={SYSTEM_COLOR.vomo} variant="light">
          VOMO
        </Badge>
      )}
      {crm && (
        <Badge size={size} color={SYSTEM_COLOR.crm} variant="light">
          CRM+
        </Badge>
      )}
      {raise && (
        <Badge size={size} color={SYSTEM_COLOR.raise} variant="light">
          Raise
        </Badge>
      )}
    </Group>
  );
}
