// Why a file could not be read, in words: one wording for the configuration's files (src/config/) and the CLI's data files (src/data/csv.ts).
/** Why a path could not be read, in words ("no such file"), else the errno code or message. */
export function fileErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOSPC') return 'no space left on the disk';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EROFS') return 'a read-only file system';
  return code ?? (err as Error).message;
}
