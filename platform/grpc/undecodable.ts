/**
 * A request whose bytes did not decode (e.g. an int64 beyond 2^53, which ts-proto's numbers
 * refuse). grpc-js answers INTERNAL when a deserializer throws; our deserializers return this
 * marker instead so the call is answered INVALID_ARGUMENT — bad input is never INTERNAL.
 */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** Wraps every method's requestDeserialize of a generated definition to return the marker on failure. */
export function tolerantDefinition<D extends Record<string, { requestDeserialize: (b: Buffer) => unknown }>>(
  definition: D,
): D {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    out[name] = {
      ...method,
      requestDeserialize: (b: Buffer) => {
        try {
          return method.requestDeserialize(b);
        } catch (err) {
          return new UndecodableRequest((err as Error).message);
        }
      },
    };
  }
  return out as D;
}
