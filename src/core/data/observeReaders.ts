// Part of the observing hook (observeBootstrap.ts), inside its _labbook_observe(): pyarrow opens
// files in C++, past the audit hook, so its readers are wrapped when their modules are imported (an
// import finder that hands back the real loader's spec, its loader wrapped) and report the paths,
// files or folders, they are given. Python text, indented for its place in the hook.

export const OBSERVE_READERS = String.raw`    class _Wrapped:
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

`;
