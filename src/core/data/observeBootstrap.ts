// The Python bootstrap a tracked script runs under when data observation is on:
// `python -u <bootstrap> <file> args…`. It installs an audit hook (PEP 578) that notes the files the
// program opens for reading or writing and the folders it lists, then runs the file as `__main__`
// with runpy, with `sys.argv`, `sys.path[0]` and `__file__` as a plain `python <file>` would set
// them; an uncaught exception's traceback starts at the user's file (the bootstrap's frames cut).
//
// A read is recorded at first open with its size, modification time (ns) and inode, and hashed by
// the host after the run (hashReads.ts) when those are unchanged, so the script never waits for a
// hash. When the program is about to change a file it read (opening it for writing, truncating,
// removing or renaming over it), the hook hashes it first, so the hash is of the content as read.
// pyarrow opens files in C++, past the audit hook, so its readers are wrapped when imported and
// report the paths they are given.
// Everything lands as JSON lines in the record file named by LABBOOK_OBSERVE_RECORD; the host reads
// it after the process ends (observedRecord.ts). Shipped as a string, like the notebook driver, and
// written next to the run's spool so the CLI and the extension share it.

/** Environment variables the bootstrap reads (and removes, so the program's children do not see them). */
export const OBSERVE_ENV = {
  record: 'LABBOOK_OBSERVE_RECORD',
  skip: 'LABBOOK_OBSERVE_SKIP',
  hashCap: 'LABBOOK_OBSERVE_HASH_CAP',
  maxPaths: 'LABBOOK_OBSERVE_MAX_PATHS',
} as const;

export const OBSERVE_BOOTSTRAP_NAME = 'labbook_observe.py';

const OBSERVE_HOOK = String.raw`# Labbook: records the data files this Python process reads and writes (and, for scripts, runs the file as __main__).
import os
import sys


def _labbook_observe():
    # Only modules a plain start has loaded already, or small C ones: the script's start stays as quick.
    import _thread
    import atexit
    import site
    import stat
    from _json import encode_basestring_ascii as quote

    env = os.environ
    record_path = env.pop('LABBOOK_OBSERVE_RECORD', '')
    skip_extra = [p for p in env.pop('LABBOOK_OBSERVE_SKIP', '').split(os.pathsep) if p]
    hash_cap = int(env.pop('LABBOOK_OBSERVE_HASH_CAP', '') or 268435456)
    max_paths = int(env.pop('LABBOOK_OBSERVE_MAX_PATHS', '') or 20000)
    start_cwd = os.getcwd()
    sep = os.sep

    def as_dir(p):
        p = os.path.abspath(p)
        return p if p.endswith(sep) else p + sep

    interpreter = set()
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        if p:
            interpreter.add(as_dir(p))
    try:
        for p in site.getsitepackages():
            interpreter.add(as_dir(p))
    except Exception:
        pass
    try:
        if site.getusersitepackages():
            interpreter.add(as_dir(site.getusersitepackages()))
    except Exception:
        pass
    for p in skip_extra:
        interpreter.add(as_dir(p))
    interpreter = tuple(sorted(interpreter))
    # Temporary and system files, and Jupyter's and IPython's own (kernels), unless the project itself lives there.
    home = [as_dir(os.path.expanduser(p)) for p in ('~/.local/share/jupyter', '~/.jupyter', '~/.ipython', '~/.config')]
    # tempfile.gettempdir()'s candidates, without importing tempfile.
    temps = [env.get(name) for name in ('TMPDIR', 'TEMP', 'TMP')] + ['/tmp', '/var/tmp', '/usr/tmp']
    temps = [p for p in temps if p] + [os.path.realpath(p) for p in temps if p]
    system = tuple(sorted({*(as_dir(p) for p in temps), '/dev/', '/proc/', '/sys/', '/run/', '/etc/', '/usr/', *home}))
    project = as_dir(start_cwd)
    skip_parts = tuple(sep + name + sep for name in ('.git', '__pycache__', '.cache', '.ipynb_checkpoints', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.labbook', '.dvc'))
    code_suffixes = ('.py', '.pyc', '.pyo', '.pyd', '.so', '.pth', '.pyi')
    stdlib = as_dir(os.path.dirname(os.__file__))

    # Buffered: a line per file would be a write per file; the end line says the record is whole.
    out = open(record_path, 'a', encoding='utf-8') if record_path else None
    out_lock = _thread.allocate_lock()
    local = _thread._local()
    seen = {}
    listed = set()
    folders = set()
    capped = [False]


    def emit(obj):
        if out is None:
            return
        import json
        line = json.dumps(obj, separators=(',', ':')) + '\n'
        with out_lock:
            out.write(line)

    def skipped(path):
        probe = path + sep
        if probe.startswith(interpreter):
            return True
        if probe.startswith(system) and not probe.startswith(project):
            return True
        for part in skip_parts:
            if part in probe:
                return True
        return False

    def normal(p):
        if isinstance(p, int) or p is None:
            return None
        try:
            p = os.fspath(p)
        except TypeError:
            return None
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        if not isinstance(p, str) or p == '':
            return None
        return os.path.normpath(os.path.join(os.getcwd(), p))

    def code_caller(frame):
        name = frame.f_code.co_filename if frame is not None else ''
        return name.startswith('<') or name.startswith(stdlib)

    def hash_now(path, entry):
        # The content as read, before the program changes it; only when it is still what was read.
        try:
            st = os.stat(path)
            if (st.st_size, st.st_mtime_ns, st.st_ino) != (entry['size'], entry['mtime_ns'], entry['ino']):
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
            line = {'t': 'hash', 'path': path, 'sha256': digest.hexdigest()}
            if partial:
                line['partial'] = True
            emit(line)
        except Exception as err:
            emit({'t': 'hash', 'path': path, 'error': str(err)})

    def admit(path):
        if len(seen) < max_paths:
            return True
        if not capped[0]:
            capped[0] = True
            emit({'t': 'capped', 'max': max_paths})
        return False

    def on_read(path):
        if path in seen or not admit(path):
            return
        try:
            st = os.stat(path)
        except OSError:
            return
        if not stat.S_ISREG(st.st_mode):
            seen[path] = 'other'
            return
        seen[path] = {'size': st.st_size, 'mtime_ns': st.st_mtime_ns, 'ino': st.st_ino, 'hashed': False, 'written': False}
        # The most frequent line, formatted by hand (json.dumps costs more than the rest of the hook).
        if out is not None:
            line = '{"t":"read","path":%s,"size":%d,"mtime":%r,"mtimeNs":"%d","ino":"%d"}\n' % (quote(path), st.st_size, st.st_mtime, st.st_mtime_ns, st.st_ino)
            with out_lock:
                out.write(line)

    def before_change(path):
        entry = seen.get(path)
        if isinstance(entry, dict) and not entry['hashed']:
            entry['hashed'] = True
            hash_now(path, entry)
        return entry

    def on_write(path):
        prior = before_change(path)
        if isinstance(prior, dict):
            if prior['written']:
                return
            prior['written'] = True
        elif prior == 'written':
            return
        else:
            if not admit(path):
                return
            seen[path] = 'written'
        emit({'t': 'write', 'path': path})

    def read_folder(root):
        # A reader handed a folder (pyarrow datasets): every regular file under it is read.
        if root in folders:
            return
        folders.add(root)
        emit({'t': 'dir', 'path': root})
        count = 0
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not skipped(os.path.join(folder, d)))
            for name in sorted(files):
                full = os.path.join(folder, name)
                if not skipped(full):
                    on_read(full)
                    count += 1
                    if count >= max_paths:
                        return

    def reported(source):
        # Paths handed to a library reader that opens them outside Python.
        items = source if isinstance(source, (list, tuple)) else [source]
        for item in items:
            path = normal(item) if isinstance(item, (str, bytes, os.PathLike)) else None
            if path is None or skipped(path):
                continue
            if os.path.isdir(path):
                read_folder(path)
            else:
                on_read(path)

    changes = ('os.remove', 'os.rename', 'os.truncate')

    def hook(event, args):
        if event != 'open' and event != 'os.scandir' and event != 'os.listdir' and event not in changes:
            return
        if getattr(local, 'busy', False):
            return
        local.busy = True
        try:
            if event == 'open':
                path = normal(args[0])
                if path is None or skipped(path):
                    return
                if path.endswith(code_suffixes) and code_caller(sys._getframe(1)):
                    return
                mode, flags = args[1], args[2]
                if isinstance(mode, str):
                    writes = any(c in mode for c in 'wax+')
                    reads = 'r' in mode or not writes
                else:
                    flags = flags or 0
                    writes = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC))
                    reads = not flags & os.O_WRONLY and not flags & os.O_TRUNC
                if reads:
                    on_read(path)
                if writes:
                    on_write(path)
            elif event in changes:
                # os.remove/unlink (path), os.rename/replace (src, dst), os.truncate (path or fd): hash first.
                for arg in (args[:2] if event == 'os.rename' else args[:1]):
                    path = normal(arg)
                    if path is not None and path in seen:
                        before_change(path)
            else:
                if sys._getframe(1).f_code.co_filename.startswith('<'):
                    return
                raw = args[0] if args else '.'
                path = normal('.' if raw is None else raw)
                if path is None or path in listed or skipped(path):
                    return
                listed.add(path)
                emit({'t': 'list', 'path': path})
        except Exception:
            pass
        finally:
            local.busy = False

    class _Wrapped:
        # Delegates to the real loader, then wraps the module's readers.
        def __init__(self, loader, patch):
            self.loader = loader
            self.patch = patch

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            self.loader.exec_module(module)
            try:
                self.patch(module)
            except Exception:
                pass

        def __getattr__(self, name):
            return getattr(self.loader, name)

    def wrap_function(module, name):
        original = getattr(module, name, None)
        if original is None or not callable(original):
            return

        def wrapper(*args, **kwargs):
            source = args[0] if args else kwargs.get('source', kwargs.get('path_or_paths', kwargs.get('input_file')))
            try:
                reported(source)
            except Exception:
                pass
            return original(*args, **kwargs)

        wrapper.__wrapped__ = original
        wrapper.__name__ = getattr(original, '__name__', name)
        wrapper.__doc__ = getattr(original, '__doc__', None)
        setattr(module, name, wrapper)

    def wrap_init(module, name):
        cls = getattr(module, name, None)
        if cls is None or not isinstance(cls, type):
            return
        original = cls.__init__

        def init(self, *args, **kwargs):
            source = args[0] if args else kwargs.get('source', kwargs.get('path_or_paths'))
            try:
                reported(source)
            except Exception:
                pass
            return original(self, *args, **kwargs)

        try:
            cls.__init__ = init
        except TypeError:
            pass

    patches = {
        'pyarrow.parquet': lambda m: ([wrap_function(m, n) for n in ('read_table', 'read_metadata', 'read_schema')], [wrap_init(m, n) for n in ('ParquetDataset',)]),
        'pyarrow.parquet.core': lambda m: [wrap_function(m, n) for n in ('read_table',)],
        'pyarrow.dataset': lambda m: [wrap_function(m, n) for n in ('dataset',)],
        'pyarrow.feather': lambda m: [wrap_function(m, n) for n in ('read_table', 'read_feather')],
        'pyarrow.csv': lambda m: [wrap_function(m, n) for n in ('read_csv', 'open_csv')],
    }

    class _Finder:
        def find_spec(self, name, path=None, target=None):
            patch = patches.get(name)
            if patch is None:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, 'find_spec'):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                        spec.loader = _Wrapped(spec.loader, patch)
                    return spec
            return None

    def finish():
        emit({'t': 'end'})
        if out is not None:
            with out_lock:
                out.close()

    atexit.register(finish)
    sys.meta_path.insert(0, _Finder())
    sys.addaudithook(hook)


def _labbook_run():
    import runpy
    if len(sys.argv) < 2:
        sys.stderr.write('usage: labbook_observe.py FILE [ARGS...]\n')
        sys.exit(2)
    target = os.path.abspath(sys.argv[1])
    # As a plain run: argv[0] is the file as given, sys.path[0] its (resolved) folder.
    sys.argv = sys.argv[1:]
    given = sys.argv[0]
    sys.path[0] = os.path.dirname(os.path.realpath(target))
    try:
        runpy.run_path(given, run_name='__main__')
    except SystemExit:
        raise
    except BaseException as err:
        tb = err.__traceback__
        # The frames above the user's file are the bootstrap's and runpy's.
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

/** The script launch: observe, then run the file. */
export const OBSERVE_BOOTSTRAP = `${OBSERVE_HOOK}
_labbook_observe()
_labbook_run()
`;

/** An IPython startup file for notebook kernels: the same hook, installed before the first cell. */
export const OBSERVE_KERNEL_STARTUP = `${OBSERVE_HOOK}
if os.environ.get('LABBOOK_OBSERVE_RECORD'):
    _labbook_observe()
`;
