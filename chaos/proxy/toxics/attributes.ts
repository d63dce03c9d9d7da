import { InvalidArgument } from '../../../platform/errors.js';

/** How one numeric attribute of a toxic is read: its default and smallest allowed value. */
export interface AttributeSpec {
  default: number;
  min: number;
}

/**
 * Reads a toxic's integer attributes (Toxiproxy's are all integers): fills defaults, rejects
 * non-integers, values below `min` and unknown names (a typo must not silently do nothing).
 * Errors name the field as `attributes.<name>`.
 */
export function integerAttributes<K extends string>(
  input: Record<string, unknown>,
  specs: Record<K, AttributeSpec>,
): Record<K, number> {
  for (const key of Object.keys(input)) {
    if (!(key in specs))
      throw new InvalidArgument(
        `attributes.${key}`,
        `unknown attribute (known: ${Object.keys(specs).join(', ') || 'none'})`,
      );
  }
  const out = {} as Record<K, number>;
  for (const key of Object.keys(specs) as K[]) {
    const spec = specs[key];
    const raw = input[key] ?? spec.default;
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw))
      throw new InvalidArgument(`attributes.${key}`, `must be an integer, got ${JSON.stringify(raw)}`);
    if (raw < spec.min) throw new InvalidArgument(`attributes.${key}`, `must be >= ${spec.min}, got ${raw}`);
    out[key] = raw;
  }
  return out;
}
