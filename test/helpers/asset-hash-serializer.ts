/**
 * Jest snapshot serializer that replaces asset hashes (64 hex characters, as in
 * `<hash>.zip` S3 keys and asset parameters), so snapshots change only when the
 * templates do, not when a Lambda bundle's bytes do.
 */
const HASH = /[0-9a-f]{64}/g;

module.exports = {
  test(value: unknown): boolean {
    return typeof value === 'string' && /[0-9a-f]{64}/.test(value);
  },
  serialize(value: string, config: unknown, indentation: string, depth: number, refs: unknown, printer: (...args: unknown[]) => string): string {
    return printer(value.replace(HASH, '[ASSET-HASH]'), config, indentation, depth, refs);
  },
};
