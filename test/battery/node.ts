// createNodeLoss's options (webgpu-loss/node, on Dawn): its own (dawnOptions, vulkanIcd), the
// create options it takes, and those it does not (a gpu, device or adapter: it makes its own).
import { device, option, OK, type Case, type Want } from './case';
import { T, type Token } from './make';

/** The Vulkan driver manifest of the machine running the case (SwiftShader's). */
const ICD: Token = { $make: 'vulkanIcd' };

// [name, options, want]
const ROWS: [string, unknown, Want][] = [
  ['null', null, option('options')],
  ['a number', 5, option('options')],
  ['an array', [], option('options')],
  ['dawnOptions a string', { vulkanIcd: ICD, dawnOptions: 'backend=vulkan' }, option('options.dawnOptions')],
  ['dawnOptions [1]', { vulkanIcd: ICD, dawnOptions: [1] }, option('options.dawnOptions')],
  ['dawnOptions behind a proxy whose get trap throws', { vulkanIcd: ICD, dawnOptions: T.proxy([], ['get']) }, option('options.dawnOptions')],
  ['vulkanIcd a number', { vulkanIcd: 5 }, option('options.vulkanIcd')],
  ['vulkanIcd null', { vulkanIcd: null }, option('options.vulkanIcd')],
  ['a gpu (it makes its own)', { vulkanIcd: ICD, gpu: {} }, option('options.gpu')],
  ['a device', { vulkanIcd: ICD, device: {} }, option('options.device')],
  ['an adapter', { vulkanIcd: ICD, adapter: {} }, option('options.adapter')],
  ['a misspelt vulkanIcd', { vulkanIDC: ICD }, option('options.vulkanIDC')],
  ['maxBindingBytes 5', { vulkanIcd: ICD, maxBindingBytes: 5 }, option('options.maxBindingBytes')],
  ['powerPreference fast', { vulkanIcd: ICD, powerPreference: 'fast' }, option('options.powerPreference')],
  ['subgroups a string', { vulkanIcd: ICD, subgroups: 'no' }, option('options.subgroups')],
  ['a Symbol key', T.symbolKey({ vulkanIcd: ICD }, 'debug', true), option('options')],
  ['a __proto__ key from JSON', T.json('{"__proto__": {"debug": true}}'), option('options.__proto__')],
  ['options behind a proxy whose ownKeys trap throws', T.proxy({}, ['ownKeys']), option('options')],
  ['an unknown Dawn backend', { vulkanIcd: ICD, dawnOptions: ['backend=nonsense'] }, device('NO_WEBGPU')],
  ['SwiftShader\'s driver', { vulkanIcd: ICD }, OK],
];

export const NODE_CASES: Case[] = ROWS.map(([name, opts, want]) => ({
  name: `createNodeLoss with ${name}`, call: 'createNodeLoss', args: [opts], want,
  says: name === 'a misspelt vulkanIcd' ? "did you mean 'vulkanIcd'?" : undefined,
}));
