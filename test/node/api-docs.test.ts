// The API reference's gate. TypeDoc converts the five public entries with typedoc.json, as
// `npm run docs` does (without writing HTML), and this test fails listing:
// - every TypeDoc warning or error (a broken {@link}, a public signature naming a type no entry
//   exports, a malformed tag, ...);
// - every public symbol without a description: the entry modules; classes with their public
//   constructors, properties, accessors and methods; functions; interfaces and their members;
//   type aliases; variables;
// - every class, function and public method (static ones included) without an `@example`: the
//   things a user calls. Interfaces, type aliases, variables, properties, accessors and
//   constructors need a description only (a property's example is the example of the call that
//   takes or returns it).
// Members inherited from another class or interface are checked where they are declared;
// re-exports (`webgpu-loss/node` re-exports WebGPULoss) where the symbol is declared.
import { beforeAll, describe, it, expect } from 'vitest';
import { join } from 'node:path';
import {
  Application,
  Comment,
  type DeclarationReflection,
  Logger,
  LogLevel,
  ReflectionKind,
  type MinimalSourceFile,
  type ProjectReflection,
  type SignatureReflection,
  type TypeDocOptions,
} from 'typedoc';

const ROOT = join(import.meta.dirname, '..', '..');

/** Keeps every message at warning level or above, with its source position, and prints nothing. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(message);
  }
  protected override addContext(message: string, _level: Exclude<LogLevel, LogLevel.None>, ...args: [{ getStart(): number; getSourceFile(): MinimalSourceFile }?] | [number, MinimalSourceFile]): string {
    const [at, file] = typeof args[0] === 'number' ? [args[0], args[1] as MinimalSourceFile] : args[0] ? [args[0].getStart(), args[0].getSourceFile()] : [undefined, undefined];
    if (at === undefined || !file) return message;
    const { line } = file.getLineAndCharacterOfPosition(at);
    return `${file.fileName.replace(`${ROOT}/`, '')}:${line + 1}: ${message}`;
  }
}

async function convert(): Promise<{ project: ProjectReflection | undefined; warnings: string[] }> {
  // Everything else (entries, exclusions, validation) comes from typedoc.json.
  const options: TypeDocOptions = { options: join(ROOT, 'typedoc.json'), logLevel: 'Warn' };
  const app = await Application.bootstrapWithPlugins(options);
  const logger = new CollectingLogger();
  logger.level = LogLevel.Warn;
  app.logger = logger;
  const project = await app.convert();
  if (project) app.validate(project);
  return { project, warnings: logger.messages };
}

const text = (comment: Comment | undefined): string => (comment ? Comment.combineDisplayParts(comment.summary).trim() : '');
const hasExample = (comment: Comment | undefined): boolean => Boolean(comment?.blockTags.some((t) => t.tag === '@example' && Comment.combineDisplayParts(t.content).trim()));

/** The comments that document a reflection: its own and, for callables, its signatures'. */
function comments(r: DeclarationReflection): Comment[] {
  const sigs: SignatureReflection[] = [...(r.signatures ?? []), ...(r.getSignature ? [r.getSignature] : []), ...(r.setSignature ? [r.setSignature] : [])];
  return [r.comment, ...sigs.map((s) => s.comment)].filter((c): c is Comment => c !== undefined);
}

const NEEDS_EXAMPLE = new Set([ReflectionKind.Class, ReflectionKind.Function]);
const MEMBER_HOLDERS = new Set([ReflectionKind.Class, ReflectionKind.Interface]);

/** Where each public symbol lacks a description or an example, as `module: Name.member: what`. */
function gaps(project: ProjectReflection): string[] {
  const out: string[] = [];
  const check = (r: DeclarationReflection, where: string, exampled: boolean): void => {
    const cs = comments(r);
    if (!cs.some((c) => text(c))) out.push(`${where}: no description`);
    if (exampled && !cs.some(hasExample)) out.push(`${where}: no @example`);
  };
  for (const mod of project.getChildrenByKind(ReflectionKind.Module)) {
    if (!text(mod.comment)) out.push(`${mod.name}: no module description`);
    for (const r of mod.children ?? []) {
      if (r.kindOf(ReflectionKind.Reference)) continue;
      check(r, `${mod.name}: ${r.name}`, NEEDS_EXAMPLE.has(r.kind));
      if (!MEMBER_HOLDERS.has(r.kind)) continue;
      for (const m of r.children ?? []) {
        if (m.inheritedFrom || m.flags.isExternal) continue;
        // A class's methods are called; an interface's (a result's `dispose`) are described.
        check(m, `${mod.name}: ${r.name}.${m.name}`, r.kindOf(ReflectionKind.Class) && m.kindOf(ReflectionKind.Method));
      }
    }
  }
  return out;
}

describe('API reference (TypeDoc)', () => {
  let project: ProjectReflection | undefined;
  let warnings: string[] = [];
  beforeAll(async () => {
    ({ project, warnings } = await convert());
  }, 60_000);

  it('converts the five public entries, named as a user imports them, without warnings', () => {
    expect(warnings, 'TypeDoc warnings').toEqual([]);
    expect(project, 'TypeDoc produced no project').toBeDefined();
    const modules = project!.getChildrenByKind(ReflectionKind.Module).map((m) => m.name).sort();
    expect(modules).toEqual(['webgpu-loss', 'webgpu-loss/node', 'webgpu-loss/onnxruntime', 'webgpu-loss/reference', 'webgpu-loss/tfjs']);
  });

  it('describes every public symbol and gives every class, function and method an example', () => {
    expect(project, 'TypeDoc produced no project').toBeDefined();
    expect(gaps(project!), 'public symbols without a description or an example').toEqual([]);
  });
});
