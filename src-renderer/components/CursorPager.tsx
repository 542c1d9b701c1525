/**
 * First / Previous / Next / Last for a list read by cursor: the main process names each page by
 * its edge rows, so the last page costs what the first does. `first` only numbers the rows shown
 * ('last': counted from the end).
 */
import { Button, Group, Text } from '@mantine/core';
import { fmtCount } from '../../src-shared/format';

export interface CursorNav {
  cursor?: string;
  direction: 'next' | 'prev';
  first: number | 'last';
}

export const FIRST_PAGE: CursorNav = { direction: 'next', first: 0 };

export interface CursorPage {
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

/** The index of the first row shown; walking back to the list's start numbers from 1 again, whatever went before. */
export function firstRowOf(nav: CursorNav, page: CursorPage | null, shown: number): number {
  if (!page) return 0;
  if (nav.first === 'last') return Math.max(0, page.total - shown);
  return nav.direction === 'prev' && !page.prevCursor ? 0 : nav.first;
}

export function CursorPager({
  nav,
  page,
  shown,
  pageSize,
  noun,
  label,
  onNav,
}: {
  nav: CursorNav;
  page: CursorPage;
  shown: number;
  pageSize: number;
  /** What the rows are, capitalized and plural ("Conflicts"). */
  noun: string;
  /** The pager's accessible name ("Conflict pages"). */
  label: string;
  onNav(next: CursorNav): void;
}) {
  if (!page.prevCursor && !page.nextCursor) return null;
  const first = firstRowOf(nav, page, shown);
  return (
    <Group justify="space-between" role="navigation" aria-label={label}>
      <Text size="sm" c="dimmed" aria-live="polite">
        {shown ? `${noun} ${fmtCount(first + 1)}–${fmtCount(first + shown)} of ${fmtCount(page.total)}` : `No ${noun.toLowerCase()} on this page`}
      </Text>
      <Group gap="xs">
        <Button size="xs" variant="default" disabled={!page.prevCursor} onClick={() => onNav(FIRST_PAGE)}>
          First page
        </Button>
        <Button size="xs" variant="default" disabled={!page.prevCursor} onClick={() => onNav({ cursor: page.prevCursor!, direction: 'prev', first: Math.max(0, first - pageSize) })}>
          Previous page
        </Button>
        <Button size="xs" variant="default" disabled={!page.nextCursor} onClick={() => onNav({ cursor: page.nextCursor!, direction: 'next', first: first + shown })}>
          Next page
        </Button>
        <Button size="xs" variant="default" disabled={!page.nextCursor} onClick={() => onNav({ direction: 'prev', first: 'last' })}>
          Last page
        </Button>
      </Group>
    </Group>
  );
}
