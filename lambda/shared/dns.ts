import { promises as dnsPromises } from 'dns';
import type { DnsObservation } from '../../protocol';

/**
 * What Route 53 answers, read from the zone's authoritative name servers: a DNS query, the
 * data plane. Each Region has a status record (`_status.<region>.<record>`, TXT) that Route 53
 * selects with that Region's record health check, so its answer says whether Route 53 sends
 * traffic there: `serving` or `withdrawn`.
 */

/** The status a Region's record has, as Route 53 answers it. */
export type RegionStatus = 'serving' | 'withdrawn' | 'unknown';

/** Answers TXT queries against given name servers. The simulator installs its own. */
export interface TxtResolver {
  /** The TXT strings of `name`, asked of `nameServers` (host names), each bounded by `timeoutMs`. */
  resolveTxt(name: string, nameServers: string[], timeoutMs: number): Promise<string[]>;
}

const KEY = Symbol.for('cdk-resilience.dns');

/** Install (or remove, with undefined) a resolver. For the simulator only. */
export function installResolver(resolver: TxtResolver | undefined): void {
  (globalThis as Record<symbol, TxtResolver | undefined>)[KEY] = resolver;
}

/** The resolver in Lambda: Node's DNS client, pointed at the zone's name servers. */
export const nodeResolver: TxtResolver = {
  async resolveTxt(name, nameServers, timeoutMs) {
    const errors: string[] = [];
    // Every lookup is bounded: one try of timeoutMs, for the name server's address and for the
    // query, so a black-holed resolver costs at most 2 x timeoutMs per name server.
    const bound = { timeout: timeoutMs, tries: 1 };
    const local = new dnsPromises.Resolver(bound);
    for (const host of nameServers) {
      let addresses: string[];
      try {
        // The name server's own address comes from the function's resolver (awsdns hosts).
        addresses = /^[\d.:]+$/.test(host) ? [host] : await local.resolve4(host);
      } catch (e) {
        errors.push(`${host}: address not found (${(e as { code?: string }).code ?? (e as Error).message})`);
        continue;
      }
      try {
        const resolver = new dnsPromises.Resolver(bound);
        resolver.setServers(addresses);
        const records = await resolver.resolveTxt(name);
        return records.map((chunks) => chunks.join(''));
      } catch (e) {
        // NXDOMAIN and NODATA are answers too.
        const code = (e as { code?: string }).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
        errors.push(`${host}: ${code ?? (e as Error).message}`);
      }
    }
    const err = new Error(`no name server of the zone answered for ${name} (${errors.join(', ')})`);
    err.name = 'DnsUnavailable';
    throw err;
  },
};

function resolver(): TxtResolver {
  return (globalThis as Record<symbol, TxtResolver | undefined>)[KEY] ?? nodeResolver;
}

/** The first of `values` a TXT record answers on the zone's name servers, or 'unknown' (no record, no answer). */
async function answerOf<T extends string>(dns: DnsObservation, name: string | undefined, values: readonly T[], timeoutMs: number): Promise<T | 'unknown'> {
  if (!name) return 'unknown';
  try {
    const answers = await resolver().resolveTxt(name, dns.nameServers, timeoutMs);
    return values.find((v) => answers.includes(v)) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Whether Route 53 sends traffic to `region`, from its status record. */
export async function regionStatus(dns: DnsObservation, region: string, timeoutMs = 2_000): Promise<RegionStatus> {
  return answerOf(dns, dns.statusRecords[region], ['serving', 'withdrawn'] as const, timeoutMs);
}

/** The traffic Route 53 answers, by Region. */
export async function trafficStatus(dns: DnsObservation, regions: string[]): Promise<Record<string, RegionStatus>> {
  const out = await Promise.all(regions.map(async (r) => [r, await regionStatus(dns, r)] as const));
  return Object.fromEntries(out);
}

/** A Region's fence, as Route 53 reads its traffic gates: `open`, `closed`, or `unknown`. */
export type FenceStatus = 'open' | 'closed' | 'unknown';

/** Whether Route 53 reads `region`'s gates as open, from its fence record. */
export async function fenceStatus(dns: DnsObservation, region: string, timeoutMs = 2_000): Promise<FenceStatus> {
  return answerOf(dns, dns.fenceRecords?.[region], ['closed', 'open'] as const, timeoutMs);
}
