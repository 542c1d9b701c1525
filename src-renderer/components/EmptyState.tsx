import { Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** What a view shows when it has nothing yet: what it is for and what fills it. */
export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Stack align="center" gap="sm" py="xl" maw={560} mx="auto" ta="center">
      <Title order={3}>{title}</Title>
      <Text c="dimmed">{children}</Text>
      {action}
    </Stack>
  );
}
