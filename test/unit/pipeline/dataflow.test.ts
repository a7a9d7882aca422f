import assert from 'node:assert/strict';
import { code, dataflow, events, notebook, shape, warningsAt } from './helpers.ts';

describe('pipeline: names a cell defines and uses', () => {
  it('assignment: the value is read before the target is defined', async () => {
    assert.deepEqual(await events('y = x + 1'), ['use x@1', 'def y@1']);
  });

  it('tuple and list unpacking, starred targets', async () => {
    assert.deepEqual(await events('a, (b, c) = t\n[d, *e] = u'), ['use t@1', 'def a@1', 'def b@1', 'def c@1', 'use u@2', 'def d@2', 'def e@2']);
  });

  it('annotated assignment (and a bare annotation binds nothing)', async () => {
    assert.deepEqual(await events('n: int = m\nk: float'), ['use m@1', 'use int@1', 'def n@1', 'use float@2']);
  });

  it('augmented assignment is a use and a definition', async () => {
    assert.deepEqual(await events('total += step'), ['use step@1', 'use total@1', 'def total@1']);
  });

  it('imports are recorded as imports, not definitions', async () => {
    const a = (await import('./helpers.ts')).cell;
    const result = await a('import a.b as c\nimport os.path\nfrom x.y import z as w, v\nfrom . import rel');
    assert.deepEqual(result.events, []);
    assert.deepEqual(result.imports.map((i) => [i.name, i.spec]), [
      ['c', { kind: 'import', module: 'a.b', alias: 'c' }],
      ['os', { kind: 'import', module: 'os.path' }],
      ['w', { kind: 'from', module: 'x.y', name: 'z', alias: 'w' }],
      ['v', { kind: 'from', module: 'x.y', name: 'v' }],
      ['rel', { kind: 'from', module: '.', name: 'rel' }],
    ]);
    assert.equal(result.importRanges.length, 4);
  });

  it('star imports are flagged', async () => {
    const { cell } = await import('./helpers.ts');
    assert.deepEqual((await cell('from math import *')).starImports, [{ module: 'math', line: 1 }]);
  });

  it('function definitions: defaults read now, body free variables read when called, locals and params stay inside', async () => {
    assert.deepEqual(await events('def f(a, b=default, *args, k: T = 1, **kw):\n    c = a + g\n    return c + h\nf(1)'), [
      'use default@1',
      'use T@1',
      'use* g@2',
      'use* h@3',
      'def f@1',
      'use f@4',
    ]);
  });

  it('class definitions: bases read now; a method does not see class-level names', async () => {
    assert.deepEqual(await events('class M(Base):\n    size = 3\n    def grow(self):\n        return size + limit'), ['use Base@1', 'use* size@4', 'use* limit@4', 'def M@1']);
  });

  it('for loop targets, with … as targets and except … as names are definitions', async () => {
    assert.deepEqual(await events('for i, row in rows:\n    pass\nwith open(p) as fh:\n    pass\ntry:\n    pass\nexcept ValueError as err:\n    pass'), [
      'use rows@1',
      'def i@1',
      'def row@1',
      'use open@3',
      'use p@3',
      'def fh@3',
      'use ValueError@7',
      'def err@7',
    ]);
  });

  it('comprehension variables do not leak; the first iterable is read outside', async () => {
    assert.deepEqual(await events('out = [x * k for x in xs if x > lim]\nprint(x)'), ['use xs@1', 'use lim@1', 'use k@1', 'def out@1', 'use print@2', 'use x@2']);
  });

  it('walrus binds in the enclosing scope, even from a comprehension', async () => {
    assert.deepEqual(await events('if (n := len(a)) > 1:\n    pass\nys = [last := v for v in vals]'), ['use len@1', 'use a@1', 'def n@1', 'use vals@3', 'def last@3', 'def ys@3']);
  });

  it('global: a function assigning a global defines it (when called)', async () => {
    assert.deepEqual(await events('def bump():\n    global counter\n    counter = counter + 1\nbump()'), ['use* counter@3', 'def counter@3', 'def bump@1', 'use bump@4']);
  });

  it('del removes a name; del of an item mutates its base', async () => {
    assert.deepEqual(await events('del a, b[0]'), ['del a@1', 'use b@1', 'mutate b@1']);
  });

  it('lambda parameters are local; its free names are read when called', async () => {
    assert.deepEqual(await events('f = lambda v, *r, s=d: v + w'), ['use d@1', 'use* w@1', 'def f@1']);
  });

  it('in-place mutation: inplace=True, list/dict methods, item and attribute assignment, fit, shuffle', async () => {
    assert.deepEqual(
      await events('df.drop(columns=["a"], inplace=True)\nlst.append(1)\nd.update(e)\nx["k"] = 1\nobj.attr = 2\nmodel.fit(X, y)\nrandom.shuffle(items)\ndf2.head()'),
      [
        'use df@1', 'mutate df@1',
        'use lst@2', 'mutate lst@2',
        'use d@3', 'use e@3', 'mutate d@3',
        'use x@4', 'mutate x@4',
        'use obj@5', 'mutate obj@5',
        'use model@6', 'use X@6', 'use y@6', 'mutate model@6',
        'use random@7', 'use items@7', 'mutate items@7',
        'use df2@8',
      ],
    );
  });

  it('a method pandas does not have is no mutation; the real in-place form is', async () => {
    assert.deepEqual(await events('df.set_index_inplace("a")\ndf.set_index("a", inplace=True)'), ['use df@1', 'use df@2', 'mutate df@2']);
  });

  it('keyword argument names and attribute names are not reads', async () => {
    assert.deepEqual(await events('r = f(alpha=a).beta'), ['use f@1', 'use a@1', 'def r@1']);
  });

  it('comments out IPython magics and shell lines before parsing, keeping line numbers', async () => {
    const { cell } = await import('./helpers.ts');
    const { commentOutMagics } = await import('../../../src/core/pipeline/magics.ts');
    const cleaned = commentOutMagics('%matplotlib inline\n!pip install x\nfiles = !ls\nif a:\n    %time f()\ndf?\nb = 1');
    assert.equal(cleaned.code, '# %matplotlib inline\n# !pip install x\n# files = !ls\nif a:\n    pass  # %time f()\n# df?\nb = 1');
    assert.deepEqual(cleaned.magics.map((m) => m.line), [1, 2, 3, 5, 6]);
    assert.deepEqual(commentOutMagics('%%bash\necho hi').code, '# %%bash\n# echo hi');
    assert.deepEqual(commentOutMagics('%%time\nx = 1').code, '# %%time\nx = 1');
    assert.deepEqual((await cell('%%time\nx = 1')).syntaxErrors, []);
  });
});

describe('pipeline: dataflow between steps', () => {
  it('inputs come from the latest earlier definer; outputs are what later steps read', async () => {
    const flow = await dataflow(
      notebook(code('a = 1\nb = 2', ['step:one']), code('a = a + b', ['step:two']), code('c = a * b', ['step:three']), code('print(c)', ['step:four'])),
    );
    assert.deepEqual(shape(flow), ['one() -> a, b', 'two(a<-one, b<-one) -> a', 'three(a<-two, b<-one) -> c', 'four(c<-three) -> ']);
    assert.deepEqual(flow.edges.map((e) => `${e.from}->${e.to}:${e.names.join(',')}`), ['one->two:a,b', 'one->three:b', 'two->three:a', 'three->four:c']);
    assert.deepEqual(flow.warnings, []);
  });

  it('an in-place mutation makes the mutating step the source of the name', async () => {
    const flow = await dataflow(notebook(code('items = []', ['step:make']), code('items.append(1)', ['step:grow']), code('n = len(items)', ['step:count'])));
    assert.deepEqual(shape(flow), ['make() -> items', 'grow(items<-make) -> items', 'count(items<-grow) -> n']);
  });

  it('model.fit in a later step passes the fitted model on', async () => {
    const flow = await dataflow(
      notebook(
        code('from sklearn.linear_model import LinearRegression\nm = LinearRegression()', ['step:make']),
        code('m.fit(X, y)', ['step:fit']),
        code('p = m.predict(X)', ['step:use']),
        code('X = 1\ny = 2', ['parameters']),
      ),
    );
    assert.deepEqual(shape(flow), ['make() -> m', 'fit(m<-make) -> m', 'use(m<-fit) -> p']);
    assert.deepEqual(flow.steps.map((s) => s.params), [[], ['X', 'y'], ['X']]);
    assert.deepEqual(flow.steps[0]?.outputs, [{ name: 'm', kind: 'model' }]);
  });

  it('builtins, imports and parameters are not inputs; an unknown name is a warning with its cell and line', async () => {
    const flow = await dataflow(notebook(code('import numpy as np\nn_rows = 10', ['parameters']), code('a = np.zeros(n_rows)\nb = len(a) + missing', ['step:one'])));
    assert.deepEqual(shape(flow), ['one() -> a, b']);
    assert.deepEqual(flow.steps[0]?.params, ['n_rows']);
    assert.deepEqual(warningsAt(flow), ['undefinedName 1:2']);
    assert.match(flow.warnings[0]?.message ?? '', /`missing` is used but no earlier step/);
  });

  it('a name read before its own step defines it is a warning', async () => {
    const flow = await dataflow(notebook(code('print(z)\nz = 1', ['step:one'])));
    assert.deepEqual(warningsAt(flow), ['undefinedName 0:1']);
    assert.match(flow.warnings[0]?.message ?? '', /used before step 'one' defines it/);
  });

  it('del removes a name from what later steps can take', async () => {
    const flow = await dataflow(notebook(code('tmp = 1', ['step:one']), code('del tmp', ['step:two']), code('x = tmp', ['step:three'])));
    assert.deepEqual(shape(flow), ['one() -> tmp', 'two(tmp<-one) -> ', 'three() -> x']);
    assert.deepEqual(warningsAt(flow), ['undefinedName 2:1']);
  });

  it('comprehension variables and walrus: only the walrus target flows on', async () => {
    const flow = await dataflow(notebook(code('ys = [(big := v) for v in range(3)]', ['step:one']), code('print(big, ys)', ['step:two'])));
    assert.deepEqual(shape(flow), ['one() -> big, ys', 'two(big<-one, ys<-one) -> ']);
  });

  it('pure functions go to the shared module; a function reading a step global stays and is warned about', async () => {
    const flow = await dataflow(
      notebook(
        code('import math\n\ndef area(r):\n    return math.pi * r * r\n\ndef scaled(v):\n    return v * factor', ['step:one']),
        code('factor = 2\nout = area(1) + scaled(2)', ['step:two']),
      ),
    );
    assert.deepEqual(flow.sharedDefinitions.map((d) => d.name), ['area']);
    // Step one's `scaled` needs `factor`, which only step two defines: that is an error as well.
    assert.deepEqual(warningsAt(flow), ['functionReadsGlobal 0:7', 'undefinedName 0:7']);
    assert.match(flow.warnings[0]?.message ?? '', /`scaled` reads the global `factor`/);
    // `scaled` is defined by step one and used by step two: it is data now.
    assert.deepEqual(shape(flow), ['one() -> scaled', 'two(scaled<-one) -> factor, out']);
    assert.deepEqual(flow.code.get('two')?.shared, ['area']);
  });

  it('star imports are warned about with their cell and line', async () => {
    const flow = await dataflow(notebook(code('x = 1', ['step:one']), code('\nfrom math import *\ny = sqrt(x)', ['step:two'])));
    assert.deepEqual(warningsAt(flow), ['starImport 1:2']);
  });

  it('a prev: tag against the dataflow is a cycle warning and is ignored', async () => {
    const flow = await dataflow(notebook(code('a = 1', ['step:first', 'prev:second']), code('b = a', ['step:second'])));
    assert.deepEqual(warningsAt(flow), ['cycle 0:-']);
    assert.match(flow.warnings[0]?.message ?? '', /prev:second on step 'first' makes a cycle: 'second' comes after 'first' and needs `a` from it/);
    assert.deepEqual(flow.edges.map((e) => `${e.from}->${e.to}`), ['first->second']);
  });

  it('a prev: tag without data adds an ordering edge', async () => {
    const flow = await dataflow(notebook(code('a = 1', ['step:first']), code('b = 2', ['step:second', 'prev:first'])));
    assert.deepEqual(flow.edges, [{ from: 'first', to: 'second', names: [] }]);
  });

  it('values unlikely to serialize are warned about when they cross steps', async () => {
    const flow = await dataflow(
      notebook(
        code('import sqlite3\nfh = open("f.txt")\nconn = sqlite3.connect("db")\ngen = (i for i in range(3))\nsq = lambda v: v * v\nok = 1', ['step:one']),
        code('print(fh, conn, gen, sq, ok)', ['step:two']),
      ),
    );
    assert.deepEqual(
      flow.warnings.map((w) => `${w.kind} ${w.cell}:${w.line} ${/looks like ([a-z ]+),/.exec(w.message)?.[1] ?? ''}`),
      ['unserializable 0:2 an open file handle', 'unserializable 0:3 a database connection', 'unserializable 0:4 a generator', 'unserializable 0:5 a lambda'],
    );
  });

  it('magics are warned about with cell and line', async () => {
    const flow = await dataflow(notebook(code('%matplotlib inline\nx = 1', ['step:one']), code('!pip install foo\ny = x', ['step:two'])));
    assert.deepEqual(warningsAt(flow), ['magic 0:1', 'magic 1:1']);
    assert.deepEqual(shape(flow), ['one() -> x', 'two(x<-one) -> y']);
  });

  it('the parameters cell gives literal parameters and warns about anything else', async () => {
    const flow = await dataflow(notebook(code('n_rows = 1_000\nlr = 1e-3\nname = "a\\tb"\nflags = [True, None, -2]\nbad = compute()', ['parameters']), code('x = n_rows', ['step:one'])));
    assert.deepEqual(flow.parameters.map((p) => [p.name, p.value, p.literal]), [
      ['n_rows', 1000, '1_000'],
      ['lr', 0.001, '1e-3'],
      ['name', 'a\tb', '"a\\tb"'],
      ['flags', [true, null, -2], '[True, None, -2]'],
    ]);
    assert.deepEqual(warningsAt(flow), ['parameters 0:5']);
  });

  it('metrics come from the pipeline-metrics cell; otherwise every result of the last step', async () => {
    const tagged = await dataflow(notebook(code('acc = 0.5\nloss = 1', ['step:one']), code('print(acc)', ['pipeline-metrics'])));
    assert.deepEqual([tagged.metrics, tagged.metricsFromLastStep, shape(tagged)], [['acc'], false, ['one() -> acc']]);
    const last = await dataflow(notebook(code('acc = 0.5\nloss = 1', ['step:one'])));
    assert.deepEqual([last.metrics, last.metricsFromLastStep], [['acc', 'loss'], true]);
    assert.deepEqual(last.steps[0]?.outputs, [{ name: 'acc', kind: 'number' }, { name: 'loss', kind: 'number' }]);
  });

  it('infers output kinds from the defining code', async () => {
    const flow = await dataflow(
      notebook(
        code(
          'import numpy as np\nimport pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.metrics import accuracy_score\n' +
            'df = pd.read_csv("x.csv")\ns = df["a"]\nsub = df[["a", "b"]]\narr = np.zeros(3)\nm = RandomForestClassifier()\nsc = StandardScaler()\nacc = accuracy_score([1], [1])\nn = len(df)\nother = df.groupby("a")',
          ['step:one'],
        ),
      ),
    );
    assert.deepEqual(
      flow.steps[0]?.outputs.map((o) => `${o.name}:${o.kind}`),
      ['df:dataframe', 's:series', 'sub:dataframe', 'arr:ndarray', 'm:model', 'sc:estimator', 'acc:number', 'n:number', 'other:unknown'],
    );
  });

  it('reports a syntax error with its cell and line and carries on', async () => {
    const flow = await dataflow(notebook(code('a = 1', ['step:one']), code('b = (a +\nc = 2', ['step:two'])));
    assert.ok(warningsAt(flow).some((w) => w.startsWith('syntaxError 1:')), warningsAt(flow).join('; '));
  });
});
