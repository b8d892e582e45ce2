import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { outboundPolicy, type OutboundPolicy } from '../providers/outbound-guard';
import { outboundRequest, type OutboundResponse } from '../providers/outbound-request';

/**
 * Is the app really served? A 200 on `/` is not enough: a build that lost its entry script, or an
 * index.html without the element the app mounts into, is a blank page. So the page must hold the
 * app's root element and reference at least one script, and every script and stylesheet it
 * references must answer 200 with a body.
 *
 * The page is tenant output, so the check is bounded everywhere: a real HTML parser (htmlparser2,
 * linear time, no regex over the page), every body cut at `maxBodyBytes`, parsing in slices that
 * yield to the event loop, a cap on the assets fetched, one deadline for the whole check, no
 * redirects, and requests only to the origin the provider returned for this delivery.
 */
export interface HealthReport {
  ok: boolean;
  problems: string[];
}

export interface HealthCheckOptions {
  /** The id the app mounts into (`document.getElementById('root')`). */
  rootElementId: string;
  /** How long a server that is still starting (connection refused, 502/503) is waited for. */
  readyWithinMs?: number;
  requestTimeoutMs?: number;
  /** The whole check, page and assets: past it the check fails. */
  totalTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Addresses the check may reach; default: the page's own host (the address the provider returned). */
  policy?: OutboundPolicy;
}

/** Assets fetched at most: a page naming thousands of scripts gets the first ones checked. */
const MAX_ASSETS = 32;
/** Characters parsed between two yields to the event loop. */
const PARSE_SLICE = 16 * 1024;

interface PageScan {
  rootFound: boolean;
  scripts: string[];
  styles: string[];
}

/**
 * htmlparser2's tokenizer, without its tree-building Parser: the Parser keeps a stack of open
 * elements that costs time per depth (100,000 nested divs took 23 s), while the tokenizer alone is
 * linear. Only opening tags and their attributes matter here.
 */
function tagScanner(html: string, onTag: (name: string, attrs: Record<string, string>) => void): Tokenizer {
  let name = '';
  let attrs: Record<string, string> = {};
  let attrName = '';
  let attrValue = '';
  const none = () => {};
  return new Tokenizer({ decodeEntities: true }, {
    onopentagname(start, end) { name = html.slice(start, end).toLowerCase(); attrs = {}; },
    onattribname(start, end) { attrName = html.slice(start, end).toLowerCase(); attrValue = ''; },
    onattribdata(start, end) { attrValue += html.slice(start, end); },
    onattribentity(codepoint) { attrValue += String.fromCodePoint(codepoint); },
    onattribend() { attrs[attrName] ??= attrValue; },
    onopentagend() { onTag(name, attrs); },
    onselfclosingtag() { onTag(name, attrs); },
    oncdata: none, onclosetag: none, oncomment: none, ondeclaration: none, onend: none,
    onprocessinginstruction: none, ontext: none, ontextentity: none,
  } as TokenizerCallbacks);
}

/** One pass of the tokenizer over the page, in slices that yield to the event loop. */
async function scanPage(html: string, pageUrl: string, rootElementId: string, signal?: AbortSignal): Promise<PageScan> {
  const scan: PageScan = { rootFound: false, scripts: [], styles: [] };
  const resolve = (ref: string) => {
    try {
      return new URL(ref, pageUrl).toString();
    } catch {
      return undefined;
    }
  };
  const tokenizer = tagScanner(html, (name, attrs) => {
    if (attrs.id === rootElementId) scan.rootFound = true;
    if (name === 'script' && attrs.src) {
      const url = resolve(attrs.src);
      if (url) scan.scripts.push(url);
    } else if (name === 'link' && attrs.href && /(^|\s)(stylesheet|modulepreload)(\s|$)/i.test(attrs.rel ?? '')) {
      const url = resolve(attrs.href);
      if (url) scan.styles.push(url);
    }
  });
  for (let at = 0; at < html.length; at += PARSE_SLICE) {
    signal?.throwIfAborted();
    tokenizer.write(html.slice(at, at + PARSE_SLICE));
    await new Promise((r) => setImmediate(r));
  }
  tokenizer.end();
  return scan;
}

/** Script and stylesheet URLs an HTML page references, resolved against the page. */
export async function referencedAssets(html: string, pageUrl: string): Promise<{ scripts: string[]; styles: string[] }> {
  const { scripts, styles } = await scanPage(html, pageUrl, '\u0000');
  return { scripts, styles };
}

export const hasElementWithId = async (html: string, id: string) => (await scanPage(html, 'http://page.invalid/', id)).rootFound;

async function fetchWhenReady(url: string, options: HealthCheckOptions, policy: OutboundPolicy, signal: AbortSignal): Promise<OutboundResponse> {
  const deadline = Date.now() + (options.readyWithinMs ?? 10_000);
  for (;;) {
    try {
      const response = await get(url, options, policy, signal);
      if (![502, 503, 504].includes(response.status) || Date.now() > deadline) return response;
    } catch (err) {
      if (Date.now() > deadline || signal.aborted) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const get = (url: string, options: HealthCheckOptions, policy: OutboundPolicy, signal: AbortSignal) =>
  outboundRequest(url, { timeoutMs: options.requestTimeoutMs ?? 5_000, maxBytes: options.maxBodyBytes ?? 4 * 1024 * 1024, policy, signal });

export async function checkAppHealth(url: string, options: HealthCheckOptions): Promise<HealthReport> {
  const signal = AbortSignal.timeout(options.totalTimeoutMs ?? 30_000);
  const origin = new URL(url).origin;
  const policy = options.policy ?? outboundPolicy([new URL(url).hostname]);
  const problems: string[] = [];
  try {
    const page = await fetchWhenReady(url, options, policy, signal);
    if (page.status !== 200) return { ok: false, problems: [`GET ${url} answered ${page.status}, not 200`] };
    if (page.truncated) problems.push(`The page is over ${options.maxBodyBytes ?? 4 * 1024 * 1024} bytes: only its beginning was checked`);
    const scan = await scanPage(page.body.toString('utf8'), url, options.rootElementId, signal);
    if (!scan.rootFound) problems.push(`The page has no element with id "${options.rootElementId}" for the app to mount into: a blank page`);
    if (scan.scripts.length === 0) problems.push('The page references no script: the app never starts (a blank page)');
    // Only the delivery's own origin is requested: a page cannot send the check anywhere else.
    const assets = [...new Set([...scan.scripts, ...scan.styles])].filter((asset) => new URL(asset).origin === origin).slice(0, MAX_ASSETS);
    await Promise.all(
      assets.map(async (asset) => {
        const path = new URL(asset).pathname;
        try {
          const response = await get(asset, options, policy, signal);
          if (response.status !== 200) problems.push(`Asset ${path} answered ${response.status}, not 200`);
          else if (response.body.length === 0) problems.push(`Asset ${path} is empty`);
        } catch (err) {
          problems.push(`Asset ${path} failed: ${(err as Error).message}`);
        }
      }),
    );
  } catch (err) {
    const reason = signal.aborted ? `the check did not finish within ${options.totalTimeoutMs ?? 30_000} ms` : (err as Error).message;
    return { ok: false, problems: [...problems, `GET ${url} failed: ${reason}`] };
  }
  return { ok: problems.length === 0, problems };
}

/** The id the app's entry mounts into, read from its source; `root` when it cannot tell. */
export function rootElementIdOf(entrySource: string | undefined): string {
  return /getElementById\(\s*["']([\w-]+)["']\s*\)/.exec(entrySource ?? '')?.[1] ?? 'root';
}
