// The library area: the library on a device of its own, with the handlers of the oracle
// comparisons, bad input, faults, linear cross-entropy and the README's examples.
import type { Area, Handlers } from './main';
import { startContext } from './context';
import { handlers as oracle } from './oracle';
import { handlers as badInput } from './bad-input';
import { handlers as faults } from './faults';
import { handlers as linear } from './linear';
import { handlers as readme } from './readme';
import { handlers as focal } from './focal';
import { handlers as evaluation } from './evaluation';
import { handlers as half } from './half';
import { handlers as linearJsd } from './linear-jsd';

function merge(...groups: Handlers[]): Handlers {
  const all: Handlers = {};
  for (const g of groups) {
    for (const [name, f] of Object.entries(g)) {
      if (name in all) throw new Error(`two handlers named '${name}'`);
      all[name] = f;
    }
  }
  return all;
}

export async function start(): Promise<Area> {
  return { wl: await startContext(), handlers: merge(oracle, badInput, faults, linear, readme, focal, evaluation, half, linearJsd) };
}
