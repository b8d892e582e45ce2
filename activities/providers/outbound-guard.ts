import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Calls to addresses a tenant chose (docker `host`, render/railway `apiUrl`, later webhooks and MCP
 * servers) go only to the public internet: https, and every resolved address outside loopback,
 * private, link-local (cloud metadata), CGNAT and other special ranges. The address is checked at
 * connect time (the `lookup` hook of node:http), so a name that resolves to a public address when
 * saved and to 127.0.0.1 later (DNS rebinding) still fails. An operator allowlists hosts by name
 * (OUTBOUND_ALLOW_HOSTS, comma-separated: `127.0.0.1`, `docker.internal`, `unix:///var/run/docker.sock`);
 * an allowlisted host may use http and any address.
 */
export interface OutboundPolicy {
  allowHosts: ReadonlySet<string>;
}

export const outboundPolicy = (allowHosts: string | readonly string[] = ''): OutboundPolicy => ({
  allowHosts: new Set((typeof allowHosts === 'string' ? allowHosts.split(',') : allowHosts).map((h) => h.trim().toLowerCase()).filter(Boolean)),
});

let fromEnv: OutboundPolicy | undefined;
/** The process's policy (OUTBOUND_ALLOW_HOSTS), read once: what provider code uses unless handed another. */
export const defaultOutboundPolicy = () => (fromEnv ??= outboundPolicy(process.env.OUTBOUND_ALLOW_HOSTS ?? ''));

// Two lists: a BlockList checks IPv4 addresses against its IPv6 rules too (as ::ffff:a.b.c.d).
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked4.addSubnet(net, bits, 'ipv4');
// ::/127 covers :: and ::1; v4-mapped, NAT64 and 6to4 embed IPv4 addresses, so they go entirely.
for (const [net, bits] of [
  ['::', 127], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked6.addSubnet(net, bits, 'ipv6');

/** Why an IP address is not a public internet address, or undefined when it is. */
export function forbiddenAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  return (family === 4 ? blocked4.check(address, 'ipv4') : blocked6.check(address, 'ipv6')) ? `${address} is a loopback, private, link-local or reserved address` : undefined;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

/** What can be told from the URL alone: its scheme, and the host when it is an IP literal. */
export function urlRefusal(raw: string, policy: OutboundPolicy = defaultOutboundPolicy()): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol === 'unix:') return policy.allowHosts.has(raw.toLowerCase()) ? undefined : 'unix sockets are only reachable when the operator allowlists them (OUTBOUND_ALLOW_HOSTS)';
  const host = hostOf(url);
  if (policy.allowHosts.has(host)) return undefined;
  if (url.protocol !== 'https:') return `${url.protocol} is refused: only https is allowed (the operator allowlists other hosts with OUTBOUND_ALLOW_HOSTS)`;
  if (url.username || url.password) return 'credentials in the URL are refused';
  return isIP(host) ? forbiddenAddress(host) : undefined;
}

/** The URL check plus today's DNS answer: what a settings save is judged by (connect time checks again). */
export async function resolvedRefusal(raw: string, policy: OutboundPolicy = defaultOutboundPolicy()): Promise<string | undefined> {
  const early = urlRefusal(raw, policy);
  if (early || raw.startsWith('unix:')) return early;
  const host = hostOf(new URL(raw));
  if (policy.allowHosts.has(host) || isIP(host)) return undefined;
  try {
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(host, { all: true }, (err, all) => (err ? reject(err) : resolve(all))));
    for (const { address } of addresses) {
      const reason = forbiddenAddress(address);
      if (reason) return `${host} resolves to ${reason}`;
    }
    return undefined;
  } catch (err) {
    return `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`;
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) requests: resolves as usual, then refuses the connection when any
 * answer is forbidden. The socket connects only to an address this function returned.
 */
export function guardedLookup(policy: OutboundPolicy = defaultOutboundPolicy()) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (!policy.allowHosts.has(host)) {
        for (const { address } of addresses) {
          const reason = forbiddenAddress(address);
          if (reason) return callback(Object.assign(new Error(`Outbound call to ${host} refused: ${reason}`), { code: 'EOUTBOUNDREFUSED' }), []);
        }
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
