/**
 * A person ID's code: its position among the stored persons (IDs in ascending order), or for an
 * ID that links name but no person row holds, a negative code (-2, -3, ...) for its place in
 * extras, which it appends to. A binary search rather than a map of a million IDs; should the
 * IDs not be in JavaScript's order (Twofold's are ASCII, ids.ts), a map.
 */
export function personCodes(ids: readonly string[], extras: string[]): (pid: string) => number {
  const extraCode = new Map<string, number>();
  const extra = (pid: string) => {
    let code = extraCode.get(pid);
    if (code === undefined) {
      extras.push(pid);
      extraCode.set(pid, (code = -1 - extras.length));
    }
    return code;
  };
  let sorted = true;
  for (let k = 1; k < ids.length && sorted; k++) sorted = ids[k - 1] < ids[k];
  if (!sorted) {
    const at = new Map(ids.map((id, k) => [id, k]));
    return (pid) => at.get(pid) ?? extra(pid);
  }
  return (pid) => {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < pid) lo = mid + 1;
      else hi = mid;
    }
    return lo < ids.length && ids[lo] === pid ? lo : extra(pid);
  };
}
