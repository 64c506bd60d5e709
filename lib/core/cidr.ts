/**
 * Small IPv4 CIDR helpers for synth-time validation. No network, no dependencies.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** The block as written. */
  readonly text: string;
  /** First address, as an unsigned 32-bit integer. */
  readonly start: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parse an IPv4 CIDR. Returns undefined when the text is not a valid CIDR, or when
 * host bits are set (e.g. `10.0.0.1/16`), which AWS rejects for VPCs.
 */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const m = CIDR_RE.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) return undefined;
  return { text, start: addr, prefix, size };
}

/** Whether two CIDR blocks share any address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}
