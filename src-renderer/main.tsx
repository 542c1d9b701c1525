import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import React from 'react';
import ReactDOM from 'react-dom/client';
import { MantineProvider, localStorageColorSchemeManager } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { App } from './app/App';
import { ProfilesProvider } from './app/useProfiles';
import { cssVariablesResolver, theme } from './app/theme';
import { StoreGate } from './features/store/StoreGate';
const colorSchemeManager = localStorageColorSchemeManager({ key: 'twofold-color-scheme' });

ReactDOM.createRoot(document.getElementById('root')!).render(
  <React.StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} colorSchemeManager={colorSchemeManager} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <StoreGate>
        <ProfilesProvider>
          <App />
        </ProfilesProvider>
      </StoreGate>
    </MantineProvider>
  </React.StrictMode>,
);
