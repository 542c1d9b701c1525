/** People: everyone in the joined store, through the same list engine as Insights (list "all"). */
import { Stack, Title } from '@mantine/core';
import type { ViewProps } from '../../app/views';
import { ListTable } from '../insights/ListTable';

export default function PeopleView({ profileId }: ViewProps) {
  return (
    <Stack gap="md">
      <Title order={2}>People</Title>
      <ListTable profileId={profileId} list="all" label="People" />
    </Stack>
  );
}
