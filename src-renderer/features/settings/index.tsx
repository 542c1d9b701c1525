import { Tabs } from '@mantine/core';
import type { ViewProps } from '../../app/views';
import { ProfilesPanel } from '../profiles/ProfilesPanel';

export default function SettingsView(_props: ViewProps) {
  return (
    <Tabs defaultValue="profiles" keepMounted={false}>
      <Tabs.List>
        <Tabs.Tab value="profiles">Profiles</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="profiles" pt="md">
        <ProfilesPanel />
      </Tabs.Panel>
    </Tabs>
  );
}
