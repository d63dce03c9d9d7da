import { InvalidArgument } from '../../platform/errors.js';
import { toxicType } from './toxics/index.js';
import type { Stream, ToxicJson, ToxicPatch, ToxicType } from './types.js';

/** A validated toxic: what the API shows plus its registered type. */
export interface ToxicSpec {
  json: ToxicJson;
  type: ToxicType;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseStream(value: unknown): Stream {
  if (value === undefined) return 'downstream';
  if (value === 'upstream' || value === 'downstream') return value;
  throw new InvalidArgument('stream', `stream was invalid, can be either upstream or downstream`);
}

function parseToxicity(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw new InvalidArgument('toxicity', `must be a number in 0..1, got ${JSON.stringify(value)}`);
  return value;
}

function parseAttributes(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new InvalidArgument('attributes', 'must be an object');
  return value;
}

/**
 * Validates a toxic to create, filling Toxiproxy's defaults: stream "downstream", toxicity 1,
 * name "<type>_<stream>", and the type's attribute defaults. Errors name the field.
 */
export function parseToxic(input: unknown): ToxicSpec {
  if (!isRecord(input)) throw new InvalidArgument('toxic', 'must be a JSON object');
  const type = toxicType(input.type);
  const stream = parseStream(input.stream);
  const name = input.name ?? `${type.type}_${stream}`;
  if (typeof name !== 'string' || name.length === 0 || name.length > 200 || name.includes('/'))
    throw new InvalidArgument('name', 'must be a non-empty string of at most 200 characters without "/"');
  return {
    type,
    json: {
      name,
      type: type.type,
      stream,
      toxicity: parseToxicity(input.toxicity),
      attributes: type.parse(parseAttributes(input.attributes)),
    },
  };
}

/**
 * Applies an update (Toxiproxy's: attributes merged over the current ones, toxicity replaced) and
 * validates the result. Name, type and stream cannot change.
 */
export function patchToxic(current: ToxicSpec, patch: unknown): ToxicSpec {
  if (!isRecord(patch)) throw new InvalidArgument('toxic', 'must be a JSON object');
  const p = patch as ToxicPatch;
  const attributes = { ...current.json.attributes, ...parseAttributes(p.attributes) };
  return {
    type: current.type,
    json: {
      ...current.json,
      toxicity: p.toxicity === undefined ? current.json.toxicity : parseToxicity(p.toxicity),
      attributes: current.type.parse(attributes),
    },
  };
}
