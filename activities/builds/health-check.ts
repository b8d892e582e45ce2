/**
 * Is the app really served? A 200 on `/` is not enough: a build that lost its entry script, or an
 * index.html without the element the app mounts into, is a blank page. So the page must hold the
 * app's root element and reference at least one script, and every script and stylesheet it
 * references must answer 200 with a body.
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
}

const assetPattern = /<(script)\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>|<(link)\b(?=[^>]*\brel\s*=\s*["']?(?:stylesheet|modulepreload)\b)[^>]*\bhref\s*=\s*["']([^"']+)["'][^>]*>/gi;

/** Script and stylesheet URLs an HTML page references, resolved against the page. */
export function referencedAssets(html: string, pageUrl: string): { scripts: string[]; styles: string[] } {
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const match of html.matchAll(assetPattern)) {
    if (match[2]) scripts.push(new URL(match[2], pageUrl).toString());
    if (match[4]) styles.push(new URL(match[4], pageUrl).toString());
  }
  return { scripts, styles };
}

export const hasElementWithId = (html: string, id: string) =>
  new RegExp(`<[a-zA-Z][^>]*\\sid\\s*=\\s*["']?${id.replace(/[^\w-]/g, '')}["'\\s/>]`).test(html);

async function fetchWithRetry(url: string, options: HealthCheckOptions): Promise<Response> {
  const deadline = Date.now() + (options.readyWithinMs ?? 10_000);
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5_000), redirect: 'follow' });
      if (![502, 503, 504].includes(response.status) || Date.now() > deadline) return response;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function checkAppHealth(url: string, options: HealthCheckOptions): Promise<HealthReport> {
  const problems: string[] = [];
  let page: Response;
  try {
    page = await fetchWithRetry(url, options);
  } catch (err) {
    return { ok: false, problems: [`GET ${url} failed: ${(err as Error).message}`] };
  }
  if (page.status !== 200) return { ok: false, problems: [`GET ${url} answered ${page.status}, not 200`] };
  const html = await page.text();
  if (!hasElementWithId(html, options.rootElementId)) problems.push(`The page has no element with id "${options.rootElementId}" for the app to mount into: a blank page`);
  const { scripts, styles } = referencedAssets(html, page.url || url);
  if (scripts.length === 0) problems.push('The page references no script: the app never starts (a blank page)');
  await Promise.all(
    [...scripts, ...styles].map(async (asset) => {
      try {
        const response = await fetch(asset, { signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5_000) });
        const body = await response.arrayBuffer();
        if (response.status !== 200) problems.push(`Asset ${new URL(asset).pathname} answered ${response.status}, not 200`);
        else if (body.byteLength === 0) problems.push(`Asset ${new URL(asset).pathname} is empty`);
      } catch (err) {
        problems.push(`Asset ${new URL(asset).pathname} failed: ${(err as Error).message}`);
      }
    }),
  );
  return { ok: problems.length === 0, problems };
}

/** The id the app's entry mounts into, read from its source; `root` when it cannot tell. */
export function rootElementIdOf(entrySource: string | undefined): string {
  return /getElementById\(\s*["']([\w-]+)["']\s*\)/.exec(entrySource ?? '')?.[1] ?? 'root';
}
