// The bad-input battery on the float64 oracle's functions: the same tables as the GPU's
// (test/gpu/errors.test.ts), each case asserted the same way.
import type { Case } from '../battery/case';
import { oracleEntries } from '../battery/entries';
import { describeBattery } from '../battery/expect';
import { crossEntropyHealth, runCases, type Entries } from '../battery/run';
import { TABLES } from '../battery/tables';

const runOn = (entries: Entries) => (cases: Case[]) => runCases(cases, entries, {}, () => crossEntropyHealth(entries.crossEntropy));

for (const [title, cases] of TABLES) describeBattery(`oracle: ${title}`, cases, 'oracle', runOn(oracleEntries));
