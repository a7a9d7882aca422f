// The Python bootstrap a tracked script runs under when data observation is on:
// `python -u <bootstrap> <file> args…`. It installs an audit hook (PEP 578) that notes the files the
// program opens for reading or writing and the folders it lists, then runs the file as `__main__`
// (its code object kept in the hook's private folder while the source is unchanged), with
// `sys.argv`, `sys.path[0]` and `__file__` as a plain `python <file>` would set them; an uncaught
// exception's traceback starts at the user's file (the bootstrap's frames cut).
//
// The cost to the program is kept to the least (issue 22's bench: 10,000 opens): the hook bails out
// of every other audit event with one set lookup, and a read-open only appends its raw path
// argument to a bounded deque (an os.chdir adds a marker with the new working directory); the
// append that would overflow it drops a sentinel instead, whose weak reference's callback moves the
// noted paths out, so the bound costs a read nothing. At exit the raw
// paths are written as given, one NUL-joined string per working directory, with the interpreter's
// prefixes, the files of the imported modules and the cap; the host drops repeats, applies the cap,
// resolves and filters them (observedRecord.ts) and stats
// and hashes them after the run (hashReads.ts). When the program is about to change a file it read
// (opening it for writing, truncating, removing or renaming over it), the hook resolves the reads
// noted so far and hashes that file first, so its hash is of the content as read.
// What this does not see: a file ANOTHER process changes between the run's read and the run's end.
// No stat is taken at the read, so the host compares the file's modification time with the
// program's start: a file modified after the start that the run did not write itself gets no hash
// and a note (never the hash of other content). A change within the file system's timestamp
// granularity of the start, or one that restores the old modification time, is not detected.
// pyarrow opens files in C++, past the audit hook, so its readers are wrapped when imported and
// report the paths they are given.
// Everything lands as JSON lines in the record file named by LABBOOK_OBSERVE_RECORD; the host reads
// it after the process ends (observedRecord.ts). Shipped as a string, like the notebook driver, and
// written next to the run's spool so the CLI and the extension share it; its parts by concern are
// observeNoted.ts (the noted paths moved out of the bounded deque), observeChanges.ts (hash before
// a change), observeReaders.ts (pyarrow), observeFinish.ts (the exit) and observeRun.ts (the run).

import { OBSERVE_CHANGES } from './observeChanges.ts';
import { OBSERVE_FINISH } from './observeFinish.ts';
import { OBSERVE_NOTED } from './observeNoted.ts';
import { OBSERVE_READERS } from './observeReaders.ts';
import { OBSERVE_RUN } from './observeRun.ts';

/** Environment variables the bootstrap reads (and removes, so the program's children do not see them). */
export const OBSERVE_ENV = {
  record: 'LABBOOK_OBSERVE_RECORD',
  skip: 'LABBOOK_OBSERVE_SKIP',
  hashCap: 'LABBOOK_OBSERVE_HASH_CAP',
  maxPaths: 'LABBOOK_OBSERVE_MAX_PATHS',
} as const;

export const OBSERVE_BOOTSTRAP_NAME = 'labbook_observe.py';

/** The hook as a module, imported by the script launch's stub so Python caches its bytecode (compiling it costs a bare script's start ~15 ms). */
export const OBSERVE_HOOK_MODULE = String.raw`# Labbook: records the data files this Python process reads and writes (and, for scripts, runs the file as __main__).
import os
import sys


def _labbook_observe():
    # Only modules a plain start has loaded already, or small C ones: the script's start stays as quick.
    # os and sys are bound here: the script runs in this module's globals, which it may rebind.
    import os
    import sys
    import _thread
    import atexit
    import site
    import stat
    from _collections import deque
    from _weakref import ref as weak_ref
    from time import time_ns

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

    # Buffered: a line per file would be a write per file; the end line says the record is whole.
    out = open(record_path, 'a', encoding='utf-8') if record_path else None
    out_lock = _thread.allocate_lock()
    local = _thread._local()
    # The hot path: a read-open only appends its raw path argument here (and, after an os.chdir, a
    # marker with the new working directory). Nothing is resolved, filtered or stat'ed while the
    # program runs; at exit the unique paths go to the record as they were given, with the working
    # directory to resolve them against and the prefixes to leave out (the host filters them).
    # 'note' is what the hot path calls: the deque's append; after an os.chdir, once, a function that
    # notes the working directory first; once capped, id (a no-op in C).
    # The deque holds at most 'room' entries with no check on the hot path (observeNoted.ts: sentinels
    # at its front call absorb() when the deque is full).
    room = 65536
    raws = deque(maxlen=room)
    append = raws.append
    take = raws.popleft
    note = append
    mark = object()
    # The weak references of the sentinels now in 'raws' (a callback from an older one is ignored).
    armed = [()]
    sentinels = 4
    absorbing = _thread.RLock()
    # Unique raw paths by working directory, in first-open order: [(cwd, {raw: None})].
    opened = [(start_cwd, {})]
    events = frozenset(('open', 'os.chdir', 'os.remove', 'os.rename', 'os.truncate', 'os.scandir', 'os.listdir'))
    # Absolute paths of the reads, resolved only when the program is about to change a file.
    resolved = {}
    resolved_upto = [0, 0]
    written = set()
    listed = set()
    folders = set()
    capped = [False]
    # Whether a working-directory marker is among the noted paths (absorb only looks for one then).
    marked = [False]
    started_ns = time_ns()

    # JSON strings by hand, in ASCII: json's own quoting lives in an extension module whose loading
    # cost a bare start more than the rest of the hook's set-up.
    escapes = {i: '\\u%04x' % i for i in range(32)}
    escapes.update({34: '\\"', 92: '\\\\', 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r'})

    def quote(text):
        text = text.translate(escapes)
        if not text.isascii():
            text = ''.join(c if c < '\x80' else '\\u%04x' % ord(c) if c < '\U00010000' else '\\u%04x\\u%04x' % (0xd7c0 + (ord(c) >> 10), 0xdc00 + (ord(c) & 0x3ff)) for c in text)
        return '"' + text + '"'

    def encode(value):
        # JSON by hand: importing json (and with it re and enum) costs a plain start more than the hook.
        if value.__class__ is str:
            return quote(value)
        if value is True or value is False:
            return 'true' if value else 'false'
        if isinstance(value, int):
            return '%d' % value
        if isinstance(value, float):
            return repr(value) if value == value and value not in (float('inf'), float('-inf')) else 'null'
        if isinstance(value, (list, tuple)):
            return '[' + ','.join(map(encode, value)) + ']'
        return quote(str(value))

    def emit(obj):
        if out is None:
            return
        line = '{' + ','.join('%s:%s' % (quote(k), encode(v)) for k, v in obj.items()) + '}\n'
        with out_lock:
            out.write(line)

    emit({'t': 'start', 'timeNs': str(started_ns)})

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

    def as_text(p):
        if p.__class__ is str:
            return p or None
        if isinstance(p, int) or p is None:
            return None
        try:
            p = os.fspath(p)
        except TypeError:
            return None
        if isinstance(p, bytes):
            p = os.fsdecode(p)
        return p if isinstance(p, str) and p != '' else None

    def normal(p, base=None):
        p = as_text(p)
        if p is None:
            return None
        return os.path.normpath(os.path.join(base or os.getcwd(), p))

${OBSERVE_NOTED}${OBSERVE_CHANGES}    def on_write(path):
        before_change(path)
        if path in written:
            return
        if len(written) >= max_paths:
            if not capped[0]:
                capped[0] = True
                emit({'t': 'capped', 'max': max_paths})
            return
        written.add(path)
        emit({'t': 'write', 'path': path})

    def after_chdir(raw):
        # The first read after an os.chdir: the working directory it is relative to (the chdir may
        # have failed), then the read; later reads are appended again.
        nonlocal note
        if capped[0]:
            note = id
            return
        note = append
        append((mark, os.getcwd()))
        marked[0] = True
        append(raw)

    def on_read(path):
        # A read the hook resolved itself (a file of a folder handed to a reader).
        note(path)

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
        # Called for every audit event of the process. Tested cheapest first (each event's name is
        # a new string, so a set lookup would hash it): a read-open is two string compares and one
        # call of 'note'; other events one compare and one set lookup. The open event
        # gives io's raw mode ('r' for every read-only open(), 'rb' and 'rt' included); any other
        # mode, and os.open's None, takes the slow path, which tells reads from writes.
        if event == 'open':
            if args[1] == 'r':
                note(args[0])
            else:
                slow(event, args)
        elif event in events:
            slow(event, args)

    def slow(event, args):
        nonlocal note
        if getattr(local, 'busy', False):
            return
        local.busy = True
        try:
            if event == 'os.chdir':
                # The next read notes the new working directory first (the chdir may still fail).
                if note is append:
                    note = after_chdir
                return
            if event == 'open':
                mode, flags = args[1], args[2]
                if isinstance(mode, str):
                    writes = any(c in mode for c in 'wax+')
                    reads = 'r' in mode or not writes
                else:
                    flags = flags or 0
                    writes = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC))
                    reads = not flags & os.O_WRONLY and not flags & os.O_TRUNC
                if reads and not capped[0]:
                    note(args[0])
                if writes:
                    path = normal(args[0])
                    if path is not None and not skipped(path):
                        on_write(path)
            elif event in changes:
                # os.remove/unlink (path), os.rename/replace (src, dst), os.truncate (path or fd): hash first.
                for arg in (args[:2] if event == 'os.rename' else args[:1]):
                    path = normal(arg)
                    if path is not None:
                        before_change(path)
            else:
                if sys._getframe(2).f_code.co_filename.startswith('<'):
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

${OBSERVE_READERS}${OBSERVE_FINISH}    arm()
    atexit.register(finish)
    sys.meta_path.insert(0, _Finder())
    sys.addaudithook(hook)


${OBSERVE_RUN}`;

export const OBSERVE_HOOK_MODULE_NAME = 'labbook_observe_hook';

/** The script launch's stub: import the hook module from `hookDir`, observe, then run the file. */
export function observeBootstrap(hookDir: string): string {
  return `# Labbook: observes the data files this program reads and writes, then runs it as a plain run would.
import sys
sys.path.insert(0, ${JSON.stringify(hookDir)})
# Its bytecode is cached even where PYTHONDONTWRITEBYTECODE is set (the program's own modules are not).
_labbook_writes = sys.dont_write_bytecode
sys.dont_write_bytecode = False
try:
    import ${OBSERVE_HOOK_MODULE_NAME} as _labbook
finally:
    sys.dont_write_bytecode = _labbook_writes
    del sys.path[0]
_labbook._labbook_observe()
_labbook._labbook_run()
`;
}

/** An IPython startup file for notebook kernels: the same hook, installed before the first cell. */
export const OBSERVE_KERNEL_STARTUP = `${OBSERVE_HOOK_MODULE}
if os.environ.get('LABBOOK_OBSERVE_RECORD'):
    _labbook_observe()
`;
