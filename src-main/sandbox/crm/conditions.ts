/**
 * CRM+ query bodies: {groups:[{conditions:[{parameter, operator, value, secondaryValue, values}]}],
 * sortBy, descending}. Keys are matched case-insensitively (ASP.NET model binding is). How groups
 * combine is undocumented; we OR groups and AND the conditions inside a group, like the CRM+
 * query editor's "any of these groups".
 */
import { DAY, dayOf, parseInstant } from '../time';

export interface Condition {
  parameter: string;
  operator: string;
  value: string | null;
  secondaryValue: string | null;
  values: string[];
}
export interface ParsedQuery {
  groups: Condition[][];
  sortBy: string | null;
  descending: boolean;
}
export type ModelState = Record<string, string[]>;

const DATE_OPS = ['Is', 'IsNot', 'Before', 'After', 'OnOrBefore', 'OnOrAfter', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Between', 'IsKnown', 'IsNotKnown'];
const INT_OPS = ['Is', 'IsNot', 'In', 'NotIn', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Between', 'IsKnown', 'IsNotKnown'];
const STRING_OPS = ['Is', 'IsNot', 'Contains', 'StartsWith', 'EndsWith', 'In', 'NotIn', 'IsKnown', 'IsNotKnown'];
export const PARAM_TYPES: Record<string, { type: 'Int' | 'Date' | 'String' | 'Decimal'; ops: string[] }> = {
  'Contact Id': { type: 'Int', ops: INT_OPS },
  'Email Address': { type: 'String', ops: STRING_OPS },
  'Contact Type': { type: 'String', ops: STRING_OPS },
  'Last Modified Date': { type: 'Date', ops: DATE_OPS },
  'Create Date': { type: 'Date', ops: DATE_OPS },
  'Create DateTime UTC': { type: 'Date', ops: DATE_OPS },
  'Gift Id': { type: 'Int', ops: INT_OPS },
  'Gift Date': { type: 'Date', ops: DATE_OPS },
  Amount: { type: 'Decimal', ops: INT_OPS },
  'Transaction Source': { type: 'String', ops: STRING_OPS },
};
export const CONTACT_PARAMS = ['Contact Id', 'Email Address', 'Contact Type', 'Last Modified Date', 'Create Date', 'Create DateTime UTC'];
export const GIFT_PARAMS = ['Gift Id', 'Contact Id', 'Gift Date', 'Amount', 'Transaction Source', 'Last Modified Date', 'Create Date'];

function get(o: unknown, key: string): unknown {
  if (!o || typeof o !== 'object') return undefined;
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (o as Record<string, unknown>)[k];
}
const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

export function parseQuery(body: unknown, allowed: string[]): ParsedQuery | ModelState {
  const errors: ModelState = {};
  const groupsRaw = get(body, 'groups');
  const groups: Condition[][] = [];
  if (groupsRaw !== undefined && groupsRaw !== null && !Array.isArray(groupsRaw)) errors['query.groups'] = ['An error has occurred.'];
  (Array.isArray(groupsRaw) ? groupsRaw : []).forEach((g, gi) => {
    const condsRaw = get(g, 'conditions');
    const conds: Condition[] = [];
    (Array.isArray(condsRaw) ? condsRaw : []).forEach((c, ci) => {
      const at = `query.groups[${gi}].conditions[${ci}]`;
      const parameter = str(get(c, 'parameter')) ?? '';
      const operator = str(get(c, 'operator')) ?? '';
      const canon = allowed.find((p) => p.toLowerCase() === parameter.toLowerCase());
      if (!canon) return void (errors[`${at}.parameter`] = [`'${parameter}' is not a valid query parameter.`]);
      const op = PARAM_TYPES[canon]!.ops.find((o) => o.toLowerCase() === operator.toLowerCase());
      if (!op) return void (errors[`${at}.operator`] = [`'${operator}' is not a valid operator for '${canon}'.`]);
      const valuesRaw = get(c, 'values');
      const cond: Condition = { parameter: canon, operator: op, value: str(get(c, 'value')), secondaryValue: str(get(c, 'secondaryValue')), values: Array.isArray(valuesRaw) ? valuesRaw.map(String) : [] };
      const problem = checkValue(canon, cond);
      if (problem) errors[`${at}.value`] = [problem];
      conds.push(cond);
    });
    if (conds.length) groups.push(conds);
  });
  if (Object.keys(errors).length) return errors;
  const desc = get(body, 'descending');
  return { groups, sortBy: str(get(body, 'sortBy')), descending: desc === true || desc === 'true' };
}

export function isModelState(x: ParsedQuery | ModelState): x is ModelState {
  return !('groups' in x && Array.isArray((x as ParsedQuery).groups));
}

function checkValue(param: string, c: Condition): string | null {
  const t = PARAM_TYPES[param]!.type;
  if (c.operator === 'IsKnown' || c.operator === 'IsNotKnown') return null;
  const vals = c.operator === 'In' || c.operator === 'NotIn' ? c.values : [c.value, ...(c.operator === 'Between' ? [c.secondaryValue] : [])];
  if (!vals.length || vals.some((v) => v === null || v === '')) return 'A value is required.';
  for (const v of vals) {
    if (t === 'Date' && !dateValue(v!, 0)) return `'${v}' is not a valid date.`;
    if ((t === 'Int' || t === 'Decimal') && !Number.isFinite(Number(v))) return `'${v}' is not a valid number.`;
  }
  return null;
}

/** Dates: ISO (offset-less = UTC), M/D/YYYY, or the relative tokens clients send. */
export function dateValue(v: string, nowMs: number): { ms: number; dateOnly: boolean } | null {
  const t = v.trim().toLowerCase();
  const today = dayOf(nowMs) * DAY;
  if (t === 'today') return { ms: today, dateOnly: true };
  if (t === 'yesterday') return { ms: today - DAY, dateOnly: true };
  const m = /^(\d+) days ago$/.exec(t);
  if (m) return { ms: today - Number(m[1]) * DAY, dateOnly: true };
  if (t === 'one year ago') return { ms: today - 365 * DAY, dateOnly: true };
  return parseInstant(v);
}

/** Date comparison: a date-only value means the whole UTC day. */
export function dateMatches(t: number | null, c: Condition, nowMs: number): boolean {
  if (c.operator === 'IsKnown') return t !== null;
  if (c.operator === 'IsNotKnown') return t === null;
  if (t === null) return false;
  const a = dateValue(c.value!, nowMs)!;
  const lo = a.ms;
  const hi = a.dateOnly ? a.ms + DAY : a.ms;
  const inclusiveHi = (x: number) => (a.dateOnly ? x < hi : x <= hi);
  switch (c.operator) {
    case 'Is':
      return a.dateOnly ? t >= lo && t < hi : t === lo;
    case 'IsNot':
      return !(a.dateOnly ? t >= lo && t < hi : t === lo);
    case 'After':
    case 'GreaterThan':
      return a.dateOnly ? t >= hi : t > lo;
    case 'OnOrAfter':
    case 'GreaterThanOrEqual':
      return t >= lo;
    case 'Before':
    case 'LessThan':
      return t < lo;
    case 'OnOrBefore':
    case 'LessThanOrEqual':
      return inclusiveHi(t);
    case 'Between': {
      const b = dateValue(c.secondaryValue!, nowMs)!;
      return t >= lo && (b.dateOnly ? t < b.ms + DAY : t <= b.ms);
    }
  }
  return false;
}

/** The earliest instant any row must reach on `param` to match (when every group bounds it). */
export function lowerBound(q: ParsedQuery, param: string, nowMs: number): number | null {
  if (!q.groups.length) return null;
  let min = Infinity;
  for (const g of q.groups) {
    let best = -Infinity;
    for (const c of g) {
      if (c.parameter !== param || !['After', 'GreaterThan', 'OnOrAfter', 'GreaterThanOrEqual', 'Between', 'Is'].includes(c.operator)) continue;
      const v = dateValue(c.value!, nowMs);
      if (v) best = Math.max(best, v.ms);
    }
    if (best === -Infinity) return null;
    min = Math.min(min, best);
  }
  return min;
}

export function numMatches(x: number | null, c: Condition): boolean {
  if (c.operator === 'IsKnown') return x !== null;
  if (c.operator === 'IsNotKnown') return x === null;
  if (x === null) return false;
  const v = Number(c.value);
  switch (c.operator) {
    case 'Is':
      return x === v;
    case 'IsNot':
      return x !== v;
    case 'In':
      return c.values.map(Number).includes(x);
    case 'NotIn':
      return !c.values.map(Number).includes(x);
    case 'GreaterThan':
      return x > v;
    case 'GreaterThanOrEqual':
      return x >= v;
    case 'LessThan':
      return x < v;
    case 'LessThanOrEqual':
      return x <= v;
    case 'Between':
      return x >= v && x <= Number(c.secondaryValue);
  }
  return false;
}

export function strMatches(xs: string[], c: Condition): boolean {
  const norm = (s: string) => s.trim().toLowerCase();
  const vals = xs.map(norm);
  if (c.operator === 'IsKnown') return vals.length > 0;
  if (c.operator === 'IsNotKnown') return vals.length === 0;
  const v = norm(c.value ?? '');
  switch (c.operator) {
    case 'Is':
      return vals.includes(v);
    case 'IsNot':
      return !vals.includes(v);
    case 'Contains':
      return vals.some((x) => x.includes(v));
    case 'StartsWith':
      return vals.some((x) => x.startsWith(v));
    case 'EndsWith':
      return vals.some((x) => x.endsWith(v));
    case 'In':
      return c.values.some((y) => vals.includes(norm(y)));
    case 'NotIn':
      return !c.values.some((y) => vals.includes(norm(y)));
  }
  return false;
}
