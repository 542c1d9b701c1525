import type { IncomingMessage } from 'node:http';

export interface Req {
  method: string;
  /** Raw path segments (still percent-encoded, so "%2F" inside a segment survives). */
  segments: string[];
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body; undefined when empty. */
  body: unknown;
  bodyError: boolean;
  /** Origin the client used, for links (VOMO's links.next). */
  origin: string;
  remote: string;
}

export interface Res {
  status: number;
  headers?: Record<string, string>;
  /** JSON value, or a Buffer/string sent as-is, or null for an empty body. */
  json?: unknown;
  text?: string;
  contentType?: string;
  /** Set on list pages so the fault layer knows it may cut or corrupt the body. */
  page?: boolean;
}

export type Handler = (req: Req) => Res | Promise<Res>;
