// Part of the observing hook (observeBootstrap.ts), inside its _labbook_observe(): at the
// program's exit, the reads noted, grouped by working directory, and the filter the host applies to
// them (interpreter, system and project folders, the imported code, the cap) are written to the
// spool for the host to resolve, hash and summarise: the paths of each working directory in a file
// of their own beside the record (`<record>.opened-N`, NUL-separated UTF-8), named by an `opened`
// line of the record. Python text, indented for its place in the hook.

export const OBSERVE_FINISH = String.raw`    def finish():
        # The reads as given, by working directory, and what the host leaves out of them. Those noted
        # since the last absorb are written as noted (at most 'room' of them): the host drops the
        # repeats and applies the cap, which saves the program's exit a hash of every path.
        # Reads from here on (this function's own files) are not the program's; nor does the slow
        # path run (its absorb would move the paths being written).
        nonlocal note
        note = id
        armed[0] = ()
        local.busy = True
        try:
            pending = unarmed(list(raws))
            segments = [(cwd, list(paths)) for cwd, paths in opened]
            start = 0
            if marked[0]:
                for i, raw in enumerate(pending):
                    if raw.__class__ is tuple and raw and raw[0] is mark:
                        segments[-1][1].extend(pending[start:i])
                        segments.append((raw[1], []))
                        start = i + 1
            if start or segments[-1][1]:
                segments[-1][1].extend(pending[start:])
            else:
                segments[-1] = (segments[-1][0], pending)
            code = set()
            for module in list(sys.modules.values()):
                try:
                    file = module.__file__
                except Exception:
                    continue
                if file.__class__ is str and not file.startswith(interpreter):
                    code.add(file if file.startswith(sep) and sep + '.' not in file else os.path.abspath(file))
            if sys.argv and isinstance(sys.argv[0], str) and sys.argv[0]:
                code.add(os.path.abspath(sys.argv[0]))
            emit({'t': 'filter', 'interpreter': list(interpreter), 'system': list(system), 'project': project, 'skipParts': list(skip_parts), 'code': sorted(code), 'maxPaths': max_paths})
            if out is not None:
                for index, (cwd, paths) in enumerate(segments):
                    # One string, the paths joined by NUL (no path holds one), written raw to a file
                    # beside the record (quoting it as JSON cost the exit more than all the rest).
                    try:
                        joined = '\0'.join(paths)
                    except TypeError:
                        # Some were given as bytes or path objects (or a file descriptor).
                        joined = '\0'.join(p for p in map(as_text, paths) if p)
                    if joined.count('\0') != len(paths) - 1:
                        # A path that held a NUL (its open failed): left out.
                        joined = '\0'.join(p for p in map(as_text, paths) if p and '\0' not in p)
                    if joined:
                        try:
                            data = joined.encode('utf-8', 'surrogateescape')
                        except UnicodeError:
                            data = joined.encode('utf-8', 'replace')
                        name = '%s.opened-%d' % (os.path.basename(record_path), index)
                        fd = os.open(os.path.join(os.path.dirname(record_path), name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_CLOEXEC', 0), 0o600)
                        try:
                            view = memoryview(data)
                            while view:
                                view = view[os.write(fd, view):]
                        finally:
                            os.close(fd)
                        line = '{"t":"opened","cwd":%s,"file":%s,"bytes":%d}\n' % (quote(cwd), quote(name), len(data))
                        with out_lock:
                            out.write(line)
        except Exception as err:
            emit({'t': 'error', 'message': str(err)})
        emit({'t': 'end'})
        if out is not None:
            with out_lock:
                out.close()

`;
