import { Tabs } from '@mantine/core';
import type { ViewProps } from '../../app/views';
import { navigate } from '../../app/router';
import { ProfilesPanel } from '../profiles/ProfilesPanel';
import { ConnectionsPanel } from './ConnectionsPanel';
import { InsightsSettings } from '../insights/InsightsSettings';
import { ReconcileSettings } from '../reconciliation/ReconcileSettings';
import { AuthoritySettings } from '../conflicts/AuthoritySettings';
import { BackupsPanel } from '../store/BackupsPanel';

const TABS = ['profiles', 'connections', 'authority', 'insights', 'reconciliation', 'backups'];
/** Tabs about the whole store, open with or without a profile. */
const STORE_TABS = ['profiles', 'backups'];

/** The tab lives in the URL (#/settings/connections) so links can open it and a reload keeps it. */
export default function SettingsView({ profileId, param }: ViewProps) {
  const tab = param && TABS.includes(param) && (profileId || STORE_TABS.includes(param)) ? param : 'profiles';
  return (
    <Tabs value={tab} onChange={(v) => v && navigate('settings', v)} keepMounted={false}>
      <Tabs.List>
        <Tabs.Tab value="profiles">Profiles</Tabs.Tab>
        <Tabs.Tab value="connections" disabled={!profileId}>
          Connections
        </Tabs.Tab>
        <Tabs.Tab value="authority" disabled={!profileId}>
          Field authority
        </Tabs.Tab>
        <Tabs.Tab value="insights" disabled={!profileId}>
          Insights
        </Tabs.Tab>
        <Tabs.Tab value="reconciliation" disabled={!profileId}>
          Reconciliation
        </Tabs.Tab>
        <Tabs.Tab value="backups">Backups</Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="profiles" pt="md">
        <ProfilesPanel />
      </Tabs.Panel>
      <Tabs.Panel value="connections" pt="md">
        {profileId ? <ConnectionsPanel profileId={profileId} /> : null}
      </Tabs.Panel>
      <Tabs.Panel value="authority" pt="md">
        {profileId ? <AuthoritySettings profileId={profileId} /> : null}
      </Tabs.Panel>
      <Tabs.Panel value="insights" pt="md">
        {profileId ? <InsightsSettings profileId={profileId} /> : null}
      </Tabs.Panel>
      <Tabs.Panel value="reconciliation" pt="md">
        {profileId ? <ReconcileSettings profileId={profileId} /> : null}
      </Tabs.Panel>
      <Tabs.Panel value="backups" pt="md">
        <BackupsPanel profileId={profileId} />
      </Tabs.Panel>
    </Tabs>
  );
}
