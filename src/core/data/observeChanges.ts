// Part of the observing hook (observeBootstrap.ts), inside its _labbook_observe(): when the program
// is about to change a file it read (open it for writing, truncate, remove or rename over it), the
// reads noted so far are resolved and that file is hashed first, so its record holds the content as
// read. Python text, indented for its place in the hook.

export const OBSERVE_CHANGES = String.raw`    def resolve_reads():
        # Absolute paths of everything read so far (for the change hooks: was this file read?).
        absorb()
        epoch, count = resolved_upto
        while epoch < len(opened):
            cwd, paths = opened[epoch]
            keys = list(paths)
            for raw in keys[count:]:
                path = normal(raw, cwd)
                if path is not None and path not in resolved:
                    resolved[path] = False
            if epoch == len(opened) - 1:
                count = len(keys)
                break
            epoch, count = epoch + 1, 0
        resolved_upto[0], resolved_upto[1] = epoch, count

    def hash_now(path):
        # The content as read, just before the program changes it. Another process may have changed
        # it between the read and now: that is not seen (no stat is taken at the read).
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                return
            import hashlib
            digest = hashlib.sha256()
            partial = st.st_size > hash_cap
            with open(path, 'rb') as f:
                if partial:
                    half = 4 * 1024 * 1024
                    digest.update(f.read(half))
                    f.seek(max(st.st_size - half, half))
                    digest.update(f.read(half))
                else:
                    while True:
                        chunk = f.read(1024 * 1024)
                        if not chunk:
                            break
                        digest.update(chunk)
            line = {'t': 'hash', 'path': path, 'sha256': digest.hexdigest(), 'size': st.st_size, 'mtime': st.st_mtime, 'mtimeNs': str(st.st_mtime_ns), 'ino': str(st.st_ino)}
            if partial:
                line['partial'] = True
            emit(line)
        except Exception as err:
            emit({'t': 'hash', 'path': path, 'error': str(err)})

    def before_change(path):
        resolve_reads()
        if resolved.get(path) is False:
            resolved[path] = True
            hash_now(path)

`;
