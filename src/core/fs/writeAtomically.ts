// Writing a file the user keeps (a notebook) without ever leaving half of it: the text goes to a
// temporary file beside the target (same directory, so the same filesystem), is flushed to disk, and
// is renamed over it. A symlink is written through: its target is replaced, the link stays.
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../shared/errorMessage.ts';

/** Written beside the target and renamed over it, keeping the target's mode; a failed write leaves the target as it was. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  // The file a symlink points to (a missing file is written where it is named).
  const target = await realpath(file).catch(() => file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.labbook-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const mode = await stat(target).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  try {
    // `wx`: never another writer's temp file.
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode);
      // On disk before the rename, so a crash leaves the old file or the new one, never an empty one.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new Error(`cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, { cause: err });
  }
}
