// The Python helpers of the generated sweep_flow.py (metaflowExport.ts writes the constants and the
// FlowSpec around them). Every step talks to the tracking server only through MlflowClient, so a
// step runs the same on a laptop or in a Kubernetes/Batch container: the server holds the parent
// run, the trial runs and, for Bayesian search, the study (rebuilt from the finished trials each
// round, the way the in-editor Optuna driver replays them).

/** Shared by every method: the parent run, one trial as a child run, the best trial at the end. */
export const COMMON_HELPERS = String.raw`
def connect(uri):
    """A client of the sweep's tracking server; credentials come from the task's environment."""
    return MlflowClient(tracking_uri=uri)


def experiment_id(client, name):
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        try:
            return client.create_experiment(name)
        except MlflowException:  # created by another process meanwhile
            experiment = client.get_experiment_by_name(name)
    if experiment.lifecycle_stage == "deleted":
        client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


def child_runs(client, parent):
    """The sweep's trial runs: the parent's children (mlflow.parentRunId), every page."""
    runs, token = [], None
    query = "tags.mlflow.parentRunId = '%s'" % parent.info.run_id
    for _ in range(10000):
        page = client.search_runs([parent.info.experiment_id], filter_string=query, max_results=1000, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs


def log_params(client, run_id, params):
    items = [Param(k, str(v)) for k, v in params.items()]
    for i in range(0, len(items), 100):  # MLflow takes at most 100 params a batch
        client.log_batch(run_id, params=items[i : i + 100])


def trial_number(run):
    try:
        return int(run.data.tags.get("labbook.sweep.trial", ""))
    except ValueError:
        return None


def open_parent(uri, resume_run, metaflow_run):
    """Creates the sweep's parent run, or reopens --resume-run; returns (run id, sweep id)."""
    client = connect(uri)
    if resume_run:
        parent = client.get_run(resume_run)
        name = parent.data.tags.get("labbook.sweep.name")
        if name != SWEEP_NAME:
            raise ValueError("run %s is not a run of the sweep %s (its labbook.sweep.name is %r)" % (resume_run, SWEEP_NAME, name))
        # Trials left running by an interrupted flow will never end by themselves.
        for run in child_runs(client, parent):
            if run.info.status in ("RUNNING", "SCHEDULED"):
                client.set_terminated(run.info.run_id, "KILLED")
        client.update_run(resume_run, status="RUNNING")
        return resume_run, parent.data.tags.get("labbook.sweep.id") or uuid.uuid4().hex
    sweep_id = uuid.uuid4().hex
    tags = {
        "labbook.sweep.id": sweep_id,
        "labbook.sweep.name": SWEEP_NAME,
        "labbook.sweep.method": METHOD,
        "labbook.sweep.objective": "%s:%s" % (GOAL, OBJECTIVE),
        "labbook.metaflow.run": metaflow_run,
    }
    run = client.create_run(experiment_id(client, EXPERIMENT), run_name=SWEEP_NAME, tags=tags)
    log_params(client, run.info.run_id, PARENT_PARAMS)
    return run.info.run_id, sweep_id


def past(deadline):
    return deadline is not None and time.time() > deadline


def param_text(value):
    """A value as a trial's command line and params show it (as Labbook's own sweeps write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def command_args(params):
    if PARAM_STYLE == "flags":
        return [*BASE_ARGS, *("--%s=%s" % (k, param_text(v)) for k, v in params.items())]
    if PARAM_STYLE == "hydra":
        return [*BASE_ARGS, *("%s=%s" % (k, param_text(v)) for k, v in params.items())]
    return list(BASE_ARGS)


def run_trial(uri, parent_id, sweep_id, trial, task):
    """Runs one configuration (with one seed) as a child run of the sweep; returns its result.

    The script resumes the child run through MLFLOW_RUN_ID, so its own mlflow calls log into it.
    """
    client = connect(uri)
    parent = client.get_run(parent_id)
    params = trial["params"]
    tags = {
        "mlflow.parentRunId": parent_id,
        "mlflow.source.name": SCRIPT,
        "mlflow.source.type": "LOCAL",
        "labbook.launch.kind": "script",
        "labbook.sweep.id": sweep_id,
        "labbook.sweep.name": SWEEP_NAME,
        "labbook.sweep.trial": str(trial["trial"]),
        "labbook.metaflow.task": task,
    }
    if trial.get("seed") is not None:
        tags["labbook.sweep.seed"] = str(trial["seed"])
    run_name = "%s #%d" % (SWEEP_NAME, trial["trial"]) + ("" if trial.get("seed") is None else " seed %s" % trial["seed"])
    run_id = client.create_run(parent.info.experiment_id, run_name=run_name, tags=tags).info.run_id
    env = {
        **os.environ,
        **SWEEP_ENV,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_RUN_ID": run_id,
        "MLFLOW_EXPERIMENT_ID": parent.info.experiment_id,
        "LABBOOK_TRIAL_PARAMS": json.dumps(params),
    }
    folder = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), WORKDIR))
    started = time.time()
    try:
        code = subprocess.run([sys.executable, SCRIPT, *trial.get("args", command_args(params))], cwd=folder, env=env, check=False).returncode
    except OSError as e:
        print("the trial could not start: %s" % e, file=sys.stderr)
        code = -1
    # The params the script did not log itself; its own values win, as in Labbook's launches.
    logged = client.get_run(run_id).data.params
    log_params(client, run_id, {k: param_text(v) for k, v in params.items() if k not in logged})
    client.set_tag(run_id, "labbook.exitCode", str(code))
    client.set_tag(run_id, "labbook.durationMs", str(int((time.time() - started) * 1000)))
    client.set_terminated(run_id, "FINISHED" if code == 0 else "FAILED")
    value = client.get_run(run_id).data.metrics.get(OBJECTIVE)
    print("trial %d%s: exit %d, %s = %s" % (trial["trial"], "" if trial.get("seed") is None else " seed %s" % trial["seed"], code, OBJECTIVE, value))
    return {"trial": trial["trial"], "seed": trial.get("seed"), "run_id": run_id, "exit": code, "value": value if code == 0 else None}


def finish_sweep(uri, parent_id):
    """Logs best_<metric>, the best run and trial on the parent run, and ends it.

    The best is taken over every finished trial of the parent (a resumed sweep's earlier ones too);
    a trial's value is the mean over its seeds, and its best run the best of those.
    """
    client = connect(uri)
    parent = client.get_run(parent_id)
    better = min if GOAL == "minimize" else max
    by_trial = {}
    for run in child_runs(client, parent):
        number = trial_number(run)
        if number is not None and run.info.status == "FINISHED" and OBJECTIVE in run.data.metrics:
            by_trial.setdefault(number, []).append(run)
    if not by_trial:
        client.set_tag(parent_id, "labbook.sweep.note", "no trial finished with the metric %s" % OBJECTIVE)
        client.set_terminated(parent_id, "FAILED")
        return None
    scores = {n: statistics.fmean(r.data.metrics[OBJECTIVE] for r in runs) for n, runs in by_trial.items()}
    best = better(sorted(scores), key=lambda n: scores[n])
    best_run = better(by_trial[best], key=lambda r: r.data.metrics[OBJECTIVE])
    client.log_metric(parent_id, "best_" + OBJECTIVE, scores[best])
    client.set_tag(parent_id, "labbook.sweep.best_run", best_run.info.run_id)
    client.set_tag(parent_id, "labbook.sweep.best_trial", str(best))
    client.set_tag(parent_id, "labbook.sweep.trials", str(len(scores)))
    client.set_terminated(parent_id, "FINISHED")
    return {"trial": best, "value": scores[best], "run_id": best_run.info.run_id, "params": dict(best_run.data.params)}


def pending(uri, parent_id, trials):
    """The trials with no finished run yet: all of them in a new sweep, the rest in a resumed one."""
    client = connect(uri)
    done = set()
    for run in child_runs(client, client.get_run(parent_id)):
        if run.info.status == "FINISHED":
            done.add((trial_number(run), run.data.tags.get("labbook.sweep.seed")))
    left = [t for t in trials if (t["trial"], None if t.get("seed") is None else str(t["seed"])) not in done]
    return left or [None]


def task_label():
    return "%s/%s/%s/%s" % (current.flow_name, current.run_id, current.step_name, current.task_id)
`;

/** Bayesian search: each round rebuilds the Optuna study from the tracking server and asks K. */
export const BAYES_HELPERS = String.raw`
def distribution(p):
    if p["type"] == "categorical":
        return optuna.distributions.CategoricalDistribution(p["choices"])
    if p["type"] == "int":
        return optuna.distributions.IntDistribution(int(p["low"]), int(p["high"]), log=bool(p.get("log")), step=int(p.get("step") or 1))
    if p.get("step") is not None and not p.get("log"):
        return optuna.distributions.FloatDistribution(float(p["low"]), float(p["high"]), step=float(p["step"]))
    return optuna.distributions.FloatDistribution(float(p["low"]), float(p["high"]), log=bool(p.get("log")))


def active(p, values):
    cond = p.get("when")
    return not cond or (cond["param"] in values and values[cond["param"]] in cond["in"])


def typed(p, text):
    """A logged param (text) back as the value Optuna asked, or None when it is not one."""
    try:
        if p["type"] == "int":
            return int(float(text))
        if p["type"] == "float":
            return float(text)
    except ValueError:
        return None
    for choice in p["choices"]:
        if param_text(choice).lower() == text.lower():
            return choice
    return None


def sampler(count):
    # Seeded by the trials so far: a fresh sampler with the same seed would ask round after round
    # the same random start-up points.
    seed = SAMPLER_SEED * 100003 + count
    if SAMPLER == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if SAMPLER == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    if SAMPLER == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


def rebuild_study(client, parent):
    """The study from the parent's ended trial runs; returns (study, trials done, next trial number)."""
    runs = child_runs(client, parent)
    by_trial = {}
    for run in runs:
        number = trial_number(run)
        if number is not None and run.info.status in ("FINISHED", "FAILED"):
            by_trial.setdefault(number, []).append(run)
    study = optuna.create_study(direction=GOAL, sampler=sampler(len(by_trial)))
    for number in sorted(by_trial):
        ended = by_trial[number]
        params, dists = {}, {}
        for p in SPACE:
            text = ended[0].data.params.get(p["name"])
            value = None if text is None or not active(p, params) else typed(p, text)
            if value is not None:
                params[p["name"]] = value
                dists[p["name"]] = distribution(p)
        values = [r.data.metrics[OBJECTIVE] for r in ended if r.info.status == "FINISHED" and OBJECTIVE in r.data.metrics]
        state = optuna.trial.TrialState.COMPLETE if values else optuna.trial.TrialState.FAIL
        try:
            study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=statistics.fmean(values) if values else None, state=state))
        except ValueError as e:  # a value outside today's space (the file changed): left out
            print("trial %d left out of the study: %s" % (number, e), file=sys.stderr)
    numbers = [n for n in map(trial_number, runs) if n is not None]
    return study, len(by_trial), max(numbers, default=-1) + 1


def ask_round(uri, parent_id, deadline):
    """The next round's trials, one per (configuration, seed); [None] when the budget is spent."""
    if past(deadline):
        return [None]
    client = connect(uri)
    study, done, number = rebuild_study(client, client.get_run(parent_id))
    asked = []
    for i in range(max(0, min(ROUND_SIZE, BUDGET_TRIALS - done))):
        trial = study.ask()
        params = {}
        for p in SPACE:
            if not active(p, params):
                continue
            name = p["name"]
            if p["type"] == "categorical":
                params[name] = trial.suggest_categorical(name, p["choices"])
            elif p["type"] == "int":
                params[name] = trial.suggest_int(name, int(p["low"]), int(p["high"]), step=int(p.get("step") or 1), log=bool(p.get("log")))
            elif p.get("step") is not None and not p.get("log"):
                params[name] = trial.suggest_float(name, float(p["low"]), float(p["high"]), step=float(p["step"]))
            else:
                params[name] = trial.suggest_float(name, float(p["low"]), float(p["high"]), log=bool(p.get("log")))
        for seed in SEEDS or [None]:
            asked.append({"trial": number + i, "seed": seed, "params": params if seed is None else {**params, SEED_PARAM: seed}})
    return asked or [None]
`;
