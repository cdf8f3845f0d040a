// The test side of a battery: one `it` per case with every assertion a bad input owes (the typed
// error's class, code and argument, a WebGPULossError, the caller's arguments and Object.prototype
// unchanged, getters read at most as allowed), and one for the valid call after the batch.
import { describe, it, expect, beforeEach } from 'vitest';
import { appliesTo, wantOn, type Case, type Target } from './case';
import type { Batch, Outcome } from './run';

export function assertOutcome(c: Case, target: Target, o: Outcome | undefined): void {
  expect(o, 'the case did not run').toBeDefined();
  expect(o!.unbuilt, 'its arguments could not be built').toBeUndefined();
  const want = wantOn(c, target);
  const e = o!.error;
  if (want === 'ok') {
    expect(e, `${c.call} refused it: ${e?.name} ${e?.message}`).toBeNull();
  } else {
    expect(e, `${c.call} accepted it`).not.toBeNull();
    const [name, code, argument] = want;
    expect({ name: e!.name, code: e!.code, argument: e!.argument }, e!.message).toEqual({ name, code, argument });
    expect(e!.typed, 'a WebGPULossError, not an error from inside the library').toBe(true);
    if (argument) expect(e!.message.startsWith(`${argument}: `), e!.message).toBe(true);
    if (c.says) expect(e!.message).toContain(c.says);
  }
  expect(o!.unchanged, `the caller's arguments changed:\n${o!.changed}`).toBe(true);
  expect(o!.prototypeClean, 'Object.prototype changed').toBe(true);
  for (const [id, most] of Object.entries(c.reads ?? {})) expect(o!.reads[id] ?? 0, `reads of ${id}`).toBeLessThanOrEqual(most);
}

/**
 * A describe block running `cases` (those `target` has) as one batch through `run`, once, and
 * asserting each. The batch runs on the first test, so a failure to run fails tests, never skips.
 */
export function describeBattery(title: string, cases: readonly Case[], target: Target, run: (cases: Case[]) => Promise<Batch>): void {
  const mine = cases.filter((c) => appliesTo(c, target));
  const names = new Set<string>();
  for (const c of mine) {
    if (names.has(c.name)) throw new Error(`two cases named '${c.name}' in ${title}`);
    names.add(c.name);
  }
  describe(title, () => {
    let pending: Promise<Batch> | undefined;
    let batch: Batch;
    // A batch on a CPU Vulkan compiles its pipelines cold (seconds each): past the Node project's default hook timeout.
    beforeEach(async () => {
      batch = await (pending ??= run(mine));
    }, 300_000);
    it(`runs ${mine.length} cases`, () => expect(batch.outcomes.map((o) => o.name)).toEqual(mine.map((c) => c.name)));
    for (const c of mine) it(c.name, () => assertOutcome(c, target, batch.outcomes.find((o) => o.name === c.name)));
    it('a valid call after the batch still matches the oracle', () => expect(batch.health.ok, batch.health.message).toBe(true));
  });
}
