/**
 * The one logger. Rules: anything that looks like a bearer token or a long secret is redacted
 * before a line is written, and known token values registered at runtime are masked exactly.
 */
const known = new Set<string>();

export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of known) out = out.split(s).join('[redacted]');
  return out
    .replace(/(Bearer\s+)[^\s"']+/gi, '$1[redacted]')
    // A value worth hiding is long and unbroken; "the token: replace it" is prose, not a secret.
    .replace(/("?(?:token|authorization|password|secret)"?\s*[:=]\s*"?)[^"\s,}]{12,}/gi, '$1[redacted]');
}

type Level = 'debug' | 'info' | 'warn' | 'error';
type Sink = (line: string) => void;
let sink: Sink = (line) => process.stderr.write(line + '\n');
let minLevel: Level = (process.env.TWOFOLD_LOG_LEVEL as Level) || 'warn';
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function setLogSink(s: Sink, level?: Level): void {
  sink = s;
  if (level) minLevel = level;
}

function format(level: Level, msg: string, detail?: Record<string, unknown>): string {
  let extra = '';
  if (detail) {
    extra = ' ' + JSON.stringify(detail, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v));
  }
  return redact(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra}`);
}

function write(level: Level, msg: string, detail?: Record<string, unknown>) {
  if (order[level] < order[minLevel]) return;
  sink(format(level, msg, detail));
}

export const log = {
  debug: (m: string, d?: Record<string, unknown>) => write('debug', m, d),
  info: (m: string, d?: Record<string, unknown>) => write('info', m, d),
  warn: (m: string, d?: Record<string, unknown>) => write('warn', m, d),
  error: (m: string, d?: Record<string, unknown>) => write('error', m, d),
};
