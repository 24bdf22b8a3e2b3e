/**
 * A tiny schema language for frames: one declaration gives the TypeScript type (`Infer`), the
 * run-time check of an inbound frame (`check`) and the JSON Schema the AsyncAPI document
 * publishes (`json`). Deliberately small and dependency-free: this module ships in the browser
 * SDK too, and frames are flat objects of strings, numbers and booleans.
 */

/** A JSON Schema fragment (the subset AsyncAPI 3's default schema format accepts). */
export type JsonSchema = { [keyword: string]: unknown };

export interface Schema<T, Optional extends boolean = false> {
  /** What the AsyncAPI document says about the value. */
  readonly json: JsonSchema;
  readonly optional: Optional;
  /**
   * The problems of `value` (messages naming `path`), none when it conforms. `undefined` means
   * absent: an optional field accepts it (and `null`, as the class-validator DTOs this replaced did).
   */
  check(value: unknown, path: string): string[];
  /** Never set: carries the inferred type. */
  readonly __type?: T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema, whatever it infers
export type AnySchema = Schema<any, boolean>;
export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type Shape = Record<string, AnySchema>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K]['optional'] extends true ? K : never }[keyof S];
export type InferShape<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

/** One rule of a string: a run-time test, its message, and what JSON Schema says about it (if it can). */
export interface StringRule {
  test(value: string): boolean;
  message: string;
  json?: JsonSchema;
}

/**
 * Length as class-validator's MaxLength counted it (validator's isLength): a surrogate pair and a
 * variation selector do not count. The limits it guarded keep their meaning on the wire.
 */
export function characters(value: string): number {
  const selectors = value.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g)?.length ?? 0;
  const pairs = value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return value.length - selectors - pairs;
}

function schema<T>(json: JsonSchema, check: (value: unknown, path: string) => string[]): Schema<T> {
  return { json, optional: false, check };
}

/** A string; `rules` run in order and every failing one is reported. */
export function str(options: { type?: string; rules?: StringRule[]; json?: JsonSchema } = {}): Schema<string> {
  const rules = options.rules ?? [];
  const json = Object.assign({ type: 'string' }, ...rules.map((rule) => rule.json ?? {}), options.json);
  return schema(json, (value, path) => {
    if (typeof value !== 'string') return [options.type ?? `${path} must be a string`];
    return rules.filter((rule) => !rule.test(value)).map((rule) => rule.message);
  });
}

/** Any UUID (versions 1–8, nil and max), as class-validator's IsUUID() accepted. */
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i;

export function uuid(message?: string): Schema<string> {
  return schema({ type: 'string', format: 'uuid' }, (value, path) =>
    typeof value === 'string' && UUID.test(value) ? [] : [message ?? `${path} must be a UUID`],
  );
}

/** An ISO-8601 UTC time; only ever sent by the server, so no run-time check beyond the type. */
export function dateTime(): Schema<string> {
  return str({ json: { format: 'date-time' } });
}

export function bool(message?: string): Schema<boolean> {
  return schema({ type: 'boolean' }, (value, path) =>
    typeof value === 'boolean' ? [] : [message ?? `${path} must be a boolean`],
  );
}

export function int(options: { minimum?: number } = {}): Schema<number> {
  const min = options.minimum ?? Number.MIN_SAFE_INTEGER;
  return schema({ type: 'integer', ...options }, (value, path) =>
    Number.isSafeInteger(value) && (value as number) >= min ? [] : [`${path} must be an integer ≥ ${min}`],
  );
}

/** One of a few string constants (`type` fields, codes). */
export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const json = values.length === 1 ? { type: 'string', const: values[0] } : { type: 'string', enum: [...values] };
  return schema(json, (value, path) =>
    (values as readonly unknown[]).includes(value) ? [] : [`${path} must be one of ${values.join(', ')}`],
  );
}

/** A JSON object of free-form fields (a notification's `data`). */
export function record(): Schema<Record<string, unknown>> {
  return schema({ type: 'object', additionalProperties: true }, (value, path) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : [`${path} must be a JSON object`],
  );
}

export function arr<S extends AnySchema>(items: S): Schema<Infer<S>[]> {
  return schema({ type: 'array', items: items.json }, (value, path) =>
    Array.isArray(value)
      ? value.flatMap((item, i) => items.check(item, `${path}[${i}]`))
      : [`${path} must be an array`],
  );
}

/** The field may be absent (or null, which counts as absent). */
export function opt<T>(inner: Schema<T, boolean>): Schema<T, true> {
  return {
    json: inner.json,
    optional: true,
    check: (value, path) => (value === undefined || value === null ? [] : inner.check(value, path)),
  };
}

/** Attaches a human description (shown in the AsyncAPI document). */
export function describe<S extends AnySchema>(inner: S, description: string): S {
  return { ...inner, json: { ...inner.json, description } };
}

export interface ObjectSchema<S extends Shape> extends Schema<InferShape<S>> {
  readonly shape: S;
  /**
   * Only the declared fields, each checked; unknown fields are dropped (the protocol is
   * additive), so nothing undeclared ever reaches a handler. Absent or null optional fields are
   * left out. Returns the problems instead when there are any.
   */
  pick(value: Record<string, unknown>): { value: InferShape<S> } | { problems: string[] };
}

export function obj<S extends Shape>(shape: S, description?: string): ObjectSchema<S> {
  const entries = Object.entries(shape);
  const required = entries.filter(([, field]) => !field.optional).map(([key]) => key);
  const pick = (value: Record<string, unknown>) => {
    const problems: string[] = [];
    const out: Record<string, unknown> = {};
    for (const [key, field] of entries) {
      const own = Object.hasOwn(value, key) ? value[key] : undefined;
      problems.push(...field.check(own, key));
      if (own !== undefined && own !== null) out[key] = own;
    }
    return problems.length > 0 ? { problems } : { value: out as InferShape<S> };
  };
  return {
    shape,
    optional: false,
    json: {
      type: 'object',
      ...(description ? { description } : {}),
      properties: Object.fromEntries(entries.map(([key, field]) => [key, field.json])),
      ...(required.length > 0 ? { required } : {}),
    },
    pick,
    check: (value, path) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? entries.flatMap(([key, field]) =>
            field.check(
              Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined,
              `${path}.${key}`,
            ),
          )
        : [`${path} must be an object`],
  };
}
