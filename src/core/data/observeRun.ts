// Part of the observing hook module (observeBootstrap.ts): running the script as `python <file>`
// would, once the hook is installed: the file's code in __main__ (its code object kept in the
// hook's private folder while the source is unchanged), argv, sys.path[0] and __file__ as a plain
// run sets them, and a failure's traceback cut to the user's frames. Python text.

export const OBSERVE_RUN = String.raw`def _labbook_code(source, given, real, magic):
    # The file's code object. compile()'s first call in a process builds the ast module's ~120
    # node classes (a plain run compiles its file without them), which costs a bare start more than
    # the whole hook; so the code is kept in this module's private folder, one entry per file, and
    # used only when the source bytes, the name as given, Python's bytecode version and -O all match.
    import os
    import sys
    import marshal
    key = (magic, sys.flags.optimize, given, source)
    entry = None
    try:
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'main')
        name = real.replace(os.sep, '%').replace(':', '%')
        entry = os.path.join(folder, name) if len(name) < 200 else None
        if entry is not None:
            with open(entry, 'rb') as f:
                cached = marshal.loads(f.read())
            if cached[:4] == key:
                return cached[4]
    except Exception:
        pass
    code = compile(source, given, 'exec', dont_inherit=True)
    if entry is not None:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            partial = '%s.%d' % (entry, os.getpid())
            with open(partial, 'wb') as f:
                f.write(marshal.dumps(key + (code,)))
            os.replace(partial, entry)
        except Exception:
            pass
    return code


def _labbook_run():
    # As a plain run: the code runs in the __main__ module itself (cleared of the bootstrap's names),
    # with __file__, __loader__, argv[0] as given and sys.path[0] the file's (resolved) folder.
    # runpy is only for what plain Python runs besides a source file (a folder, a zip, a .pyc): it
    # and pkgutil cost a bare script's start more than the whole hook.
    import os
    import sys
    if len(sys.argv) < 2:
        sys.stderr.write('usage: labbook_observe.py FILE [ARGS...]\n')
        sys.exit(2)
    target = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    given = sys.argv[0]
    real = os.path.realpath(target)
    sys.path[0] = os.path.dirname(real)
    code = None
    if os.path.isfile(target):
        import io
        with io.open_code(given) as f:
            source = f.read()
        bootstrap = sys.modules.get('_frozen_importlib_external')
        magic = getattr(bootstrap, 'MAGIC_NUMBER', None)
        if not source.startswith(b'PK\x03\x04') and not (magic and source.startswith(magic)):
            code = _labbook_code(source, given, real, magic)
    try:
        if code is None:
            import runpy
            runpy.run_path(given, run_name='__main__')
        else:
            main = sys.modules['__main__'].__dict__
            builtins = main['__builtins__']
            loader = bootstrap.SourceFileLoader('__main__', given) if bootstrap is not None else None
            main.clear()
            main.update({'__name__': '__main__', '__doc__': None, '__package__': None, '__loader__': loader, '__spec__': None, '__annotations__': {}, '__builtins__': builtins, '__file__': given, '__cached__': None})
            exec(code, main)
    except SystemExit:
        raise
    except BaseException as err:
        tb = err.__traceback__
        # The frames above the user's file are the bootstrap's (and runpy's).
        while tb is not None and tb.tb_frame.f_code.co_filename != given and os.path.abspath(tb.tb_frame.f_code.co_filename) != target:
            tb = tb.tb_next
        err.__traceback__ = tb
        sys.excepthook(type(err), err, tb)
        if isinstance(err, KeyboardInterrupt):
            # A plain run ends by SIGINT after its exit handlers.
            import atexit
            import signal
            atexit._run_exitfuncs()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        sys.exit(1)

`;
