// The bad-input battery on the float64 oracle's functions and on the CPU fallback (CpuLoss):
// the same tables as the GPU's (test/gpu/errors.test.ts), each case asserted the same way.
import { CpuLoss } from '../../src/index';
import type { Case } from '../battery/case';
import { cpuEntries, oracleEntries } from '../battery/entries';
import { describeBattery } from '../battery/expect';
import { crossEntropyHealth, runCases, type Entries } from '../battery/run';
import { TABLES } from '../battery/tables';

const runOn = (entries: Entries) => (cases: Case[]) => runCases(cases, entries, {}, () => crossEntropyHealth(entries.crossEntropy));

for (const [title, cases] of TABLES) {
  describeBattery(`oracle: ${title}`, cases, 'oracle', runOn(oracleEntries));
  describeBattery(`CpuLoss: ${title}`, cases, 'cpu', runOn(cpuEntries(new CpuLoss('the battery runs it directly'))));
}
