/**
 * Notebook parameters: the seed's configuration as defaults, overridden from
 * environment variables, so `deno task reproduce` (and a user's shell) can
 * run any notebook quick, with another seed, or with other settings without
 * editing it.
 *
 * A notebook's first code cell, tagged `parameters` (papermill's
 * convention), calls {@linkcode parameters}. The variables it reads:
 *
 * - `NB_<UPPER_SNAKE>` for each key: `epochs` ← `NB_EPOCHS`, `batchSize` ←
 *   `NB_BATCH_SIZE`, `learningRate` ← `NB_LEARNING_RATE`, `seed` ← `NB_SEED`,
 *   `weightsPath` ← `NB_WEIGHTS_PATH`. The value is parsed as the default's
 *   type: a number (`0.01`, `1e-5`), a boolean (`1`/`0`, `true`/`false`,
 *   `yes`/`no`), a string (taken as is), or an array of those written as
 *   JSON (`NB_HIDDEN=[150,100,50]`). Anything else is an error that names
 *   the variable, the expected type and the value found.
 * - `NB_QUICK=1` applies the notebook's `quick` overrides first (a small
 *   configuration for tests); explicit `NB_<KEY>` variables still win.
 *
 * Reading the environment needs `--allow-env`; the Jupyter kernel runs with
 * all permissions.
 *
 * @module
 */

/** A value a parameter may hold and an environment variable may override. */
export type ParamValue = number | boolean | string | number[] | boolean[] | string[];

/**
 * The parameters' types, widened from the literal types TypeScript infers for
 * the defaults (`true` → `boolean`, `"float32"` → `string`, `0` → `number`),
 * so quick overrides and environment variables may hold any value of the
 * default's type.
 */
export type Widened<T> = {
  [K in keyof T]: T[K] extends boolean ? boolean
    : T[K] extends string ? string
    : T[K] extends number ? number
    : T[K];
};

/** Where variables are read from: a lookup function or a plain record. */
export type EnvSource =
  | ((name: string) => string | undefined)
  | Record<string, string | undefined>;

/** Options for {@linkcode parameters}. */
export interface ParametersOptions<T> {
  /** Overrides applied when `NB_QUICK` is true (before per-key variables). */
  quick?: Partial<T>;
  /** Variables to read instead of `Deno.env` (tests, tools). */
  env?: EnvSource;
}

/**
 * The environment variable that overrides a parameter: `NB_` and the key in
 * UPPER_SNAKE_CASE.
 *
 * @param key Parameter name in camelCase (or already snake_case).
 * @returns The variable name, e.g. `NB_BATCH_SIZE` for `batchSize`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { envName } from "./params.ts";
 *
 * assert.equal(envName("batchSize"), "NB_BATCH_SIZE");
 * assert.equal(envName("w1Path"), "NB_W1_PATH");
 * assert.equal(envName("seed"), "NB_SEED");
 * ```
 */
export function envName(key: string): string {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_");
  return `NB_${snake.toUpperCase()}`;
}

function lookup(env: EnvSource, name: string): string | undefined {
  return typeof env === "function" ? env(name) : env[name];
}

function denoEnv(name: string): string | undefined {
  return Deno.env.get(name);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length > 0 ? `array of ${typeof value[0]}` : "array";
  }
  return typeof value;
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  return undefined;
}

function parseNumber(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function parseValue(name: string, text: string, like: ParamValue): ParamValue {
  const fail = (): never => {
    throw new TypeError(
      `Cannot read parameter from ${name}: expected ${typeName(like)}, got ${JSON.stringify(text)}`,
    );
  };
  if (typeof like === "number") return parseNumber(text) ?? fail();
  if (typeof like === "boolean") return parseBoolean(text) ?? fail();
  if (typeof like === "string") return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail();
  }
  if (!Array.isArray(parsed)) return fail();
  const elementType = like.length > 0 ? typeof like[0] : undefined;
  for (const item of parsed) {
    const ok = elementType === undefined
      ? ["number", "boolean", "string"].includes(typeof item)
      : typeof item === elementType && (typeof item !== "number" || Number.isFinite(item));
    if (!ok) fail();
  }
  return parsed as ParamValue;
}

function checkDefault(key: string, value: unknown): void {
  const scalar = (v: unknown) =>
    typeof v === "number" || typeof v === "boolean" || typeof v === "string";
  if (scalar(value)) return;
  if (Array.isArray(value) && value.every(scalar)) return;
  throw new TypeError(
    `Cannot define parameter ${key}: expected a number, boolean, string or array of those, got ${
      value === null ? "null" : typeName(value)
    }`,
  );
}

/**
 * The notebook's parameters: `defaults`, then the `quick` overrides when
 * `NB_QUICK` is true, then each `NB_<KEY>` variable that is set.
 *
 * @param defaults The seed's configuration; every value a number, boolean,
 *   string or array of those (its type is what a variable must parse as).
 * @param options `quick`: overrides for quick mode; `env`: variables to
 *   read instead of `Deno.env`.
 * @returns A new object with the same keys.
 * @throws {TypeError} When a variable does not parse as its default's type,
 *   naming the variable, the expected type and the value found; or when a
 *   default or quick override is not a supported type.
 * @throws {RangeError} When `quick` names a key that `defaults` lacks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parameters } from "./params.ts";
 *
 * const env = { NB_QUICK: "1", NB_LEARNING_RATE: "0.5" };
 * const params = parameters(
 *   { seed: 42, epochs: 50, learningRate: 0.01 },
 *   { quick: { epochs: 2 }, env },
 * );
 * assert.deepEqual(params, { seed: 42, epochs: 2, learningRate: 0.5 });
 * assert.throws(
 *   () => parameters({ epochs: 50 }, { env: { NB_EPOCHS: "many" } }),
 *   /NB_EPOCHS: expected number, got "many"/,
 * );
 * ```
 */
export function parameters<T extends Record<string, ParamValue>>(
  defaults: T,
  options: ParametersOptions<Widened<T>> = {},
): Widened<T> {
  const env = options.env ?? denoEnv;
  const result: Record<string, ParamValue> = {};
  for (const [key, value] of Object.entries(defaults)) {
    checkDefault(key, value);
    result[key] = Array.isArray(value) ? [...value] as ParamValue : value;
  }
  const quickText = lookup(env, "NB_QUICK");
  let quick = false;
  if (quickText !== undefined && quickText !== "") {
    quick = parseValue("NB_QUICK", quickText, false) as boolean;
  }
  if (quick && options.quick) {
    for (const [key, value] of Object.entries(options.quick)) {
      if (!(key in defaults)) {
        throw new RangeError(
          `Cannot apply quick override ${key}: expected one of the parameters (${
            Object.keys(defaults).join(", ")
          }), got an unknown key`,
        );
      }
      checkDefault(key, value);
      result[key] = value as ParamValue;
    }
  }
  for (const key of Object.keys(defaults)) {
    const name = envName(key);
    const text = lookup(env, name);
    if (text === undefined) continue;
    result[key] = parseValue(name, text, defaults[key]);
  }
  return result as Widened<T>;
}
