/**
 * Which versions of model.dir a fine-tune promotion over a given version wrote (their manifests
 * say so): used by a start and a follow (../unfinished-promotions.ts) and by every write of
 * current.json (./current-pointer.ts), which must not bury one it never saw.
 */
import path from 'node:path';
import { readManifest } from '../artifact.ts';

/**
 * Those of `versions` that a promotion wrote (manifest: training source `finetune`, a parent that
 * `parentOk` accepts and, where the manifest records it — promotions since 7 Dec 2026 —
 * `parentSha256` equal to that parent's weights sha256 here), with that parent; not models copied
 * in: a fine-tuned checkpoint copied from another directory names another parent, or another
 * parent's content under the same name, and is served as copied in. Manifests without
 * `parentSha256`, or whose parent's manifest cannot be read here (deleted by hand, damaged), are
 * told by the parent's name alone (until later on 7 Dec 2026 the latter were served as copied in).
 */
export async function unfinishedPromotions(dir: string, versions: string[], parentOk: (parent: string) => boolean): Promise<[string, string][]> {
  const parentOf = async (v: string): Promise<string | null> => {
    const t = await readManifest(path.join(dir, v)).then((m) => m.training as { source?: unknown; parent?: unknown; parentSha256?: unknown } | undefined, () => undefined);
    const parent = t?.parent;
    if (t?.source !== 'finetune' || typeof parent !== 'string' || !parentOk(parent)) return null;
    if (typeof t.parentSha256 !== 'string') return parent;
    // The parent's manifest unreadable (its directory deleted by hand, damaged): nothing to compare, told by the name as before.
    const sha = await readManifest(path.join(dir, parent)).then((m) => m.weights.sha256, () => undefined);
    return sha === undefined || sha === t.parentSha256 ? parent : null;
  };
  const parents = await Promise.all(versions.map(parentOf));
  return versions.flatMap((v, i) => (parents[i] === null ? [] : [[v, parents[i]] as [string, string]]));
}
