/**
 * "Updating…" in the header while the person store or the insight measures are being rebuilt:
 * what the views show meanwhile is the last committed state. The rebuild can be cancelled from
 * here wherever it was started (a sync, a settings change, "Rebuild").
 */
import { Badge, CloseButton, Group, Tooltip } from '@mantine/core';
import { useJobs } from './useJobs';
import { jobStepText } from './JobProgress';

export function UpdatingBadge({ profileId }: { profileId: number }) {
  const { active, cancel } = useJobs(profileId);
  const job = active('rebuild') ?? active('measures');
  if (!job) return null;
  return (
    <Group gap={2} wrap="nowrap">
      <Tooltip label={`${job.label}: ${jobStepText(job)}. The views show the last completed state until it finishes.`}>
        <Badge variant="light" color="blue" data-testid="updating">
          updating…
        </Badge>
      </Tooltip>
      <CloseButton size="xs" aria-label={`Cancel: ${job.label}`} onClick={() => void cancel(job.id)} />
    </Group>
  );
}
