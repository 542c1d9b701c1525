/**
 * A mirror read a page at a time, in id order (keyset: each page after the last id of the one
 * before). The join reads its pages with these, itself or on the mirror reader's connection.
 */
export const PAGE_ROWS = 8192;

export interface PageQuery {
  first: string;
  next: string;
  /** The column of a row that holds its id. */
  idAt: number;
}

/** `sql` is a SELECT ending in a WHERE clause over the table aliased `alias`. */
export function pageQueries(sql: string, alias: string, idAt: number): PageQuery {
  return {
    first: `${sql} ORDER BY ${alias}.id LIMIT ${PAGE_ROWS}`,
    next: `${sql} AND ${alias}.id > @after ORDER BY ${alias}.id LIMIT ${PAGE_ROWS}`,
    idAt,
  };
}
