// The explicit-resource-management symbols, declared as TypeScript 5.2's lib (and @types/node) do,
// so a consumer compiling against an older lib still reads these declarations.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

// Where a runtime lacks the well-known symbols, the ones TypeScript's own `using` helpers fall back to.
export const DISPOSE: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
export const ASYNC_DISPOSE: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);
