import { Suspense, useEffect } from 'react';
import { ActionIcon, AppShell, Badge, Burger, Group, Loader, NavLink, Select, Text, Title, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useRoute, navigate } from './router';
import { useProfiles } from './useProfiles';
import { views } from './views';
import { Welcome } from '../features/profiles/Welcome';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { HeaderSync } from '../features/sync/HeaderSync';
import { UpdatingBadge } from '../features/jobs/UpdatingBadge';
import { useNavBadges } from './useNavBadges';
import { fmtCount } from '../../src-shared/format';

function ThemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === 'dark';
  return (
    <Tooltip label={dark ? 'Light theme' : 'Dark theme'}>
      <ActionIcon variant="default" size="lg" aria-label="Toggle color scheme" onClick={() => setColorScheme(dark ? 'light' : 'dark')}>
        {dark ? '☀' : '☾'}
      </ActionIcon>
    </Tooltip>
  );
}

export function App() {
  const [opened, { toggle }] = useDisclosure();
  const route = useRoute();
  const { profiles, current, choose, error } = useProfiles();

  useEffect(() => {
    document.title = current ? `Twofold — ${current.name}` : 'Twofold';
  }, [current]);

  const view = views.find((v) => v.key === route.view) ?? views[0];
  // A hidden view lights the navbar item it belongs to (a person is one of the People).
  const navKey = view.navParent ?? view.key;
  const badges = useNavBadges(current?.id ?? null);
  const noProfiles = profiles !== null && profiles.length === 0;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={4}>Twofold</Title>
            {current?.isSandbox && (
              <Badge color="orange" variant="light" title="Generated sample data, not a real organization">
                Sandbox
              </Badge>
            )}
          </Group>
          <Group gap="sm">
            {current && <UpdatingBadge key={`u${current.id}`} profileId={current.id} />}
            {current && <HeaderSync key={current.id} profileId={current.id} />}
            {profiles && profiles.length > 0 && (
              <Select
                aria-label="Profile"
                w={220}
                data={profiles.map((p) => ({ value: String(p.id), label: p.isSandbox ? `${p.name} (sandbox)` : p.name }))}
                value={current ? String(current.id) : null}
                onChange={(v) => choose(v ? Number(v) : null)}
                allowDeselect={false}
              />
            )}
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Views">
        {views
          .filter((v) => !v.hidden)
          .map((v) => (
            <NavLink
              key={v.key}
              label={v.label}
              href={`#/${v.key}`}
              active={v.key === navKey}
              aria-current={v.key === navKey ? 'page' : undefined}
              onClick={() => navigate(v.key)}
              rightSection={
                badges[v.key] ? (
                  <Badge size="sm" variant="light" color={v.key === 'sync' ? 'orange' : 'indigo'} aria-label={`${fmtCount(badges[v.key])} waiting`}>
                    {fmtCount(badges[v.key])}
                  </Badge>
                ) : null
              }
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {error && <Text c="red">{error}</Text>}
        {profiles === null && !error && <Loader aria-label="Loading" />}
        {noProfiles && view.key !== 'settings' && <Welcome onCreated={(id) => choose(id)} />}
        {profiles !== null && (current || view.key === 'settings') && !(noProfiles && view.key !== 'settings') && (
          <ErrorBoundary key={`${view.key}:${current?.id}`}>
            <Suspense fallback={<Loader aria-label="Loading view" />}>
              <view.component profileId={current?.id ?? 0} param={route.param} />
            </Suspense>
          </ErrorBoundary>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
