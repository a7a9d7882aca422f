// Names Python provides without a notebook defining them, and the standard library's top-level
// modules (never listed in requirements.txt). From CPython 3.12's `dir(builtins)` and
// `sys.stdlib_module_names`, plus modules of older versions a notebook may still import.

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Builtins, plus what IPython adds (`display`, `get_ipython`) and module dunders. */
export const PYTHON_BUILTINS = words(`
ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError
BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError
ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis EncodingWarning
EnvironmentError Exception ExceptionGroup False FileExistsError FileNotFoundError
FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError
IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError OSError
OverflowError PendingDeprecationWarning PermissionError ProcessLookupError RecursionError
ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration
SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True TypeError
UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError
UnicodeWarning UserWarning ValueError Warning ZeroDivisionError __build_class__ __debug__ __doc__
__import__ __loader__ __name__ __package__ __spec__ abs aiter all anext any ascii bin bool
breakpoint bytearray bytes callable chr classmethod compile complex delattr dict dir divmod
enumerate eval exec filter float format frozenset getattr globals hasattr hash hex id input int
isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow
print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple
type vars zip
copyright credits license exit quit help __file__ __builtins__ display get_ipython
`);

export const STDLIB_MODULES = words(`
abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb
binascii bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop
collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg crypt
csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email encodings
ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc
genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib
imaplib imghdr imp importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale
logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing
netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb
pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty
pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource
rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib
sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics
string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib
tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback
tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings
wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib
zoneinfo
__future__ _thread
`);

/** PyPI names of packages whose import name differs. */
export const PYPI_NAMES: Readonly<Record<string, string>> = {
  sklearn: 'scikit-learn',
  yaml: 'PyYAML',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  skimage: 'scikit-image',
  bs4: 'beautifulsoup4',
  dateutil: 'python-dateutil',
  dotenv: 'python-dotenv',
  Crypto: 'pycryptodome',
  attr: 'attrs',
  jwt: 'PyJWT',
  serial: 'pyserial',
  docx: 'python-docx',
  pptx: 'python-pptx',
  OpenSSL: 'pyOpenSSL',
  fitz: 'PyMuPDF',
  Levenshtein: 'python-Levenshtein',
  umap: 'umap-learn',
  mpl_toolkits: 'matplotlib',
  IPython: 'ipython',
  gi: 'PyGObject',
  wx: 'wxPython',
  zmq: 'pyzmq',
  git: 'GitPython',
  psycopg2: 'psycopg2-binary',
  MySQLdb: 'mysqlclient',
  pkg_resources: 'setuptools',
  google: 'google-api-core',
  tensorflow_datasets: 'tensorflow-datasets',
  sentence_transformers: 'sentence-transformers',
  faiss: 'faiss-cpu',
  Bio: 'biopython',
  magic: 'python-magic',
  slugify: 'python-slugify',
  telegram: 'python-telegram-bot',
  lxml: 'lxml',
};
