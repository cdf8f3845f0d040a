// The README's TypeScript examples as programs the tests can run: the ```ts blocks of README.md
// that run in one place (`area`: the page's library area by default; ```ts area=tfjs,
// area=onnxruntime, or area=node on the fence), in order, in one scope (a block sees what earlier
// blocks defined, as a reader does), after the fixtures it names. A block fenced as
// ```ts no-run is left out, compiled and counted.
import ts from 'typescript';
import { FIXTURES } from './readme-fixtures';

export interface Block {
  /** Line of the opening fence in README.md. */
  line: number;
  lang: string;
  /** Words after the language on the fence line (`no-run`). */
  flags: string[];
  /** The heading the block stands under. */
  heading: string;
  code: string;
}

export interface ReadmeProgram {
  /** JavaScript for an async function of (require, exports, __block, __capture, console, page). */
  program: string;
  run: Block[];
  skipped: Block[];
  /** Every name a block declares at its top level, by block line. */
  declared: Map<number, string[]>;
}

export const NO_RUN = 'no-run';
/** Where a block runs: the `area=` word of its fence, else the test page's library area. */
export const areaOf = (b: Block): string => b.flags.find((f) => f.startsWith('area='))?.slice('area='.length) ?? 'library';

export function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let open: Block | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push(open);
        open = undefined;
      } else open.code += `${text}\n`;
      return;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(text);
    if (fence) open = { line: i + 1, lang: fence[1], flags: fence[2].split(/\s+/).filter(Boolean), heading, code: '' };
    else if (/^#{1,6} /.test(text)) heading = text.replace(/^#+ /, '');
  });
  if (open) throw new Error(`README.md: the block at line ${open.line} is never closed`);
  return blocks;
}

/** Binding names a declaration introduces (destructuring included). */
function bindings(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindings(e.name)));
}

function parse(code: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Names declared at the top level of the code. */
function declaredIn(sf: ts.SourceFile): string[] {
  return sf.statements.flatMap((s) => {
    if (ts.isVariableStatement(s)) return s.declarationList.declarations.flatMap((d) => bindings(d.name));
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) return [s.name.text];
    return [];
  });
}

/** Identifiers the code refers to (not property names after a dot or before a colon). */
function namesUsed(sf: ts.SourceFile): Set<string> {
  const used = new Set<string>();
  const visit = (n: ts.Node): void => {
    const parent = n.parent;
    const isKey = parent && ((ts.isPropertyAccessExpression(parent) && parent.name === n) || (ts.isPropertyAssignment(parent) && parent.name === n));
    if (ts.isIdentifier(n) && !isKey) used.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return used;
}

/**
 * Top-level const and let become var, so that a later block may declare the same name again.
 * (TypeScript has already turned a `using` into a var and a try/finally that disposes it.)
 */
const toVar: ts.TransformerFactory<ts.SourceFile> = (context) => (sf) =>
  ts.visitEachChild(sf, (s) => (ts.isVariableStatement(s)
    ? context.factory.updateVariableStatement(s, s.modifiers, context.factory.createVariableDeclarationList(s.declarationList.declarations, ts.NodeFlags.None))
    : s), context);

/** TypeScript to JavaScript: imports become require() calls; syntax errors throw. */
function compile(code: string, file: string): string {
  const out = ts.transpileModule(code, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleDetection: ts.ModuleDetectionKind.Force },
    transformers: { after: [toVar] },
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (errors.length) throw new Error(`${file}: ${errors.join('; ')}`);
  return out.outputText;
}

/**
 * The program of the blocks that run in `area`, with `fixtures` (by name) for what they leave to
 * the reader. After each block, `__capture(line, names)` sees the names the block defined while
 * its `using` declarations are still alive: block and capture compile as one unit.
 */
export function readmeProgram(markdown: string, area = 'library', fixtures: Record<string, string> = FIXTURES): ReadmeProgram {
  const tsBlocks = blocksOf(markdown).filter((b) => b.lang === 'ts');
  const skipped = tsBlocks.filter((b) => b.flags.includes(NO_RUN));
  const run = tsBlocks.filter((b) => !b.flags.includes(NO_RUN) && areaOf(b) === area);
  const parsed = new Map(tsBlocks.map((b) => [b.line, parse(b.code, `README.md:${b.line}`)]));
  const declared = new Map(tsBlocks.map((b) => [b.line, declaredIn(parsed.get(b.line)!)]));
  for (const b of skipped) compile(b.code, `README.md:${b.line}`); // a block not run must still compile
  const defined = new Set<string>();
  const parts: string[] = [];
  /** Emits each fixture `used` names that nothing defined yet, after the fixtures it needs itself. */
  const fixturesFor = (used: Iterable<string>): string[] => {
    const added: string[] = [];
    for (const n of used) {
      if (!(n in fixtures) || defined.has(n)) continue;
      defined.add(n);
      added.push(...fixturesFor(namesUsed(parse(fixtures[n], `fixture ${n}`))));
      parts.push(compile(fixtures[n], `fixture ${n}`));
      added.push(n);
    }
    return added;
  };
  for (const b of run) {
    const fixtureNames = fixturesFor(namesUsed(parsed.get(b.line)!));
    const names = [...fixtureNames, ...declared.get(b.line)!];
    parts.push(`await __block(${b.line});`, compile(`${b.code}\nawait __capture(${b.line}, { ${names.join(', ')} });\n`, `README.md:${b.line}`));
    for (const n of names) defined.add(n);
  }
  return { program: parts.join('\n'), run, skipped, declared };
}
