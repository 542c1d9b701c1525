/**
 * Shows the app only when its store is open; otherwise the screen that says why and offers the
 * ways out. A read-only store opens (reports work) under a banner saying changes can't be saved.
 */
import type { ReactNode } from 'react';
import { Affix, Alert, Center, Loader, Text } from '@mantine/core';
import { useStoreStatus } from './useStoreStatus';
import { StoreUnavailable } from './StoreUnavailable';

export function StoreGate({ children }: { children: ReactNode }) {
  const { status, error, job, reload } = useStoreStatus();
  if (error) {
    return (
      <Center p="xl">
        <Text c="red">{error}</Text>
      </Center>
    );
  }
  if (!status) {
    return (
      <Center p="xl">
        <Loader aria-label="Opening the store" />
      </Center>
    );
  }
  if (status.state !== 'open') return <StoreUnavailable status={status} job={job} onRetry={reload} />;
  return (
    <>
      {status.readOnly && (
        <Affix position={{ bottom: 16, left: 16 }} zIndex={300}>
          <Alert color="yellow" role="status" title="This store is read-only" maw={520}>
            {status.file} — {status.readOnly}. Reports and lists work; changes can't be saved.
          </Alert>
        </Affix>
      )}
      {children}
    </>
  );
}
