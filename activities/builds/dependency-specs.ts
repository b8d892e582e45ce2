import type { DependencySet } from './dependency-cache';
import { InvalidManifestError } from './dependency-cache';

/**
 * A registry version: a semver range, an exact version or a dist-tag (`^18.3.1`, `1.x || 2`,
 * `latest`), optionally behind an `npm:` alias. No `/` and no `:` after the alias, which rules out
 * every other kind npm would fetch: git (`git+ssh:`, `github:`, `user/repo`), URLs, tarballs,
 * `file:`/`link:` paths (a path outside the workspace), `workspace:`, `portal:`, `patch:`.
 */
const registryRange = /^[\w.+^~<>=|* -]*$/;
const alias = /^npm:(?:@[\w.-]+\/)?[\w.-]+(?:@(.*))?$/;

function isRegistrySpec(spec: string): boolean {
  const aliased = alias.exec(spec);
  return registryRange.test(aliased ? (aliased[1] ?? '') : spec);
}

/** Refuses a dependency set naming anything but registry versions, listing every offending entry. */
export function assertRegistrySpecs(set: DependencySet): void {
  const refused = [...Object.entries(set.dependencies), ...Object.entries(set.devDependencies)]
    .filter(([, spec]) => !isRegistrySpec(spec))
    .map(([name, spec]) => `${name}@${JSON.stringify(spec)}`);
  if (refused.length > 0) {
    throw new InvalidManifestError(`Only registry versions can be installed; refused: ${refused.join(', ')} (git, URL, file, link and workspace specs are not allowed)`);
  }
}
