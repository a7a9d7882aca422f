// Part of the observing hook (observeBootstrap.ts), inside its _labbook_observe(): at the
// program's exit, the reads noted, grouped by working directory, and the filter the host applies to
// them (interpreter, system and project folders, the imported code, the cap) are written to the
// spool for the host to resolve, hash and summarise. Python text, indented for its place in the hook.

export const OBSERVE_FINISH = String.raw`    def finish():
        # The reads as given, by working directory, and what the host leaves out of them. Those noted
        # since the last absorb are written as noted (at most 'room' of them): the host drops the
        # repeats and applies the cap, which saves the program's exit a hash of every path.
        try:
            pending = raws
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
                for cwd, paths in segments:
                    # One string, the paths joined by NUL (no path holds one), quoted in one call.
                    try:
                        joined = '\0'.join(paths)
                    except TypeError:
                        # Some were given as bytes or path objects (or a file descriptor).
                        joined = '\0'.join(p for p in map(as_text, paths) if p)
                    if joined.count('\0') != len(paths) - 1:
                        # A path that held a NUL (its open failed): left out.
                        joined = '\0'.join(p for p in map(as_text, paths) if p and '\0' not in p)
                    if joined:
                        line = '{"t":"opened","cwd":%s,"joined":%s}\n' % (quote(cwd), quote(joined))
                        with out_lock:
                            out.write(line)
        except Exception as err:
            emit({'t': 'error', 'message': str(err)})
        emit({'t': 'end'})
        if out is not None:
            with out_lock:
                out.close()

`;
