/** What the export dialog says about the file it writes: unencrypted, and where it goes. */
import { useEffect, useState } from 'react';
import { Alert, Code, Text } from '@mantine/core';
import { api } from '../../ipc/client';
import { transport } from '../../ipc/transport';

export function UnencryptedExportNote({ writtenTo }: { writtenTo?: string | null }) {
  const [dataDir, setDataDir] = useState<string | null>(null);
  useEffect(() => {
    api['app.info']({})
      .then((i) => setDataDir(i.dataDir))
      .catch(() => undefined);
  }, []);
  const electron = transport().kind === 'electron';
  return (
    <Alert color="yellow" variant="light" title="The CSV is not encrypted" aria-label="Export is unencrypted">
      <Text size="sm">
        {writtenTo ? (
          <>
            It was written to <Code>{writtenTo}</Code> in clear text.
          </>
        ) : electron ? (
          'It is written in clear text where you choose in the save dialog.'
        ) : (
          <>
            It is written in clear text to your browser&apos;s downloads folder. Its copy in <Code>{dataDir ? `${dataDir}/exports` : 'the data folder'}</Code> is
            removed once your browser has it (after a day if it never fetches it).
          </>
        )}{' '}
        Delete it when you are done; Settings → Backups lists the export files that still exist.
      </Text>
    </Alert>
  );
}
