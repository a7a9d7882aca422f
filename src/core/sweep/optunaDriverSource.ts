// The Python side of the Optuna driver (optunaDriver.ts), shipped as a string like the data
// observation bootstrap and written to a private cache folder. It speaks JSON lines: one request
// per stdin line ({id, op, ...}), one reply per stdout line ({id, ok, result} or {id, ok:false,
// error}). Python's own stdout is sent to stderr so a library's print never corrupts a reply.
//
// It holds no state of its own worth keeping: `init` builds an in-memory study and replays the
// trials the tracking store has (optuna.trial.create_trial + study.add_trial), so a restarted
// driver goes on where the last one stopped. Trials still running are replayed as RUNNING, and
// the reply maps each to its new Optuna number, so they can still be told and pruned.
// Params are asked define-by-run (study.ask() then trial.suggest_*), in the sweep file's order, and
// a conditional param only when the param it depends on is active and has one of its values.

export const OPTUNA_DRIVER_SOURCE = String.raw`
import json
import sys

_out = sys.stdout
sys.stdout = sys.stderr


def _reply(message):
    _out.write(json.dumps(message) + "\n")
    _out.flush()


def main():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    state = {"study": None, "params": [], "asked": {}}

    def distribution(p):
        kind = p["type"]
        if kind == "categorical":
            return optuna.distributions.CategoricalDistribution(p["choices"])
        if kind == "int":
            return optuna.distributions.IntDistribution(int(p["low"]), int(p["high"]), log=bool(p.get("log")), step=int(p.get("step") or 1))
        step = p.get("step")
        if step is not None and not p.get("log"):
            return optuna.distributions.FloatDistribution(float(p["low"]), float(p["high"]), step=float(step))
        return optuna.distributions.FloatDistribution(float(p["low"]), float(p["high"]), log=bool(p.get("log")))

    def active(p, values):
        cond = p.get("when")
        if not cond:
            return True
        parent = cond["param"]
        return parent in values and values[parent] in cond["in"]

    def sampler_of(name, seed):
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "gp":
            return optuna.samplers.GPSampler(seed=seed)
        if name == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=seed)
        return optuna.samplers.TPESampler(seed=seed)

    def pruner_of(spec):
        if not spec:
            return optuna.pruners.NopPruner()
        if spec["rule"] == "median":
            return optuna.pruners.MedianPruner(n_startup_trials=int(spec["startupTrials"]), n_warmup_steps=int(spec["warmupSteps"]), n_min_trials=int(spec["minTrials"]))
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=int(spec["minResource"]), reduction_factor=int(spec["reductionFactor"]), min_early_stopping_rate=int(spec["minEarlyStoppingRate"])
        )

    def replay(study, trial):
        dists = {}
        params = {}
        for p in state["params"]:
            name = p["name"]
            if name in trial["params"] and active(p, params):
                dists[name] = distribution(p)
                params[name] = trial["params"][name]
        kind = trial["state"]
        states = {"complete": optuna.trial.TrialState.COMPLETE, "pruned": optuna.trial.TrialState.PRUNED, "fail": optuna.trial.TrialState.FAIL, "running": optuna.trial.TrialState.RUNNING}
        intermediate = {int(k): float(v) for k, v in (trial.get("intermediate") or {}).items()}
        frozen = optuna.trial.create_trial(
            state=states[kind],
            value=float(trial["value"]) if kind == "complete" else None,
            params=params,
            distributions=dists,
            intermediate_values=intermediate,
            user_attrs={"labbook_trial": trial["key"]},
        )
        study.add_trial(frozen)
        return study.trials[-1].number

    def init(req):
        state["params"] = req["params"]
        state["asked"] = {}
        study = optuna.create_study(direction=req["direction"], sampler=sampler_of(req.get("sampler", "tpe"), req.get("seed", 0)), pruner=pruner_of(req.get("pruner")))
        state["study"] = study
        numbers = {}
        skipped = []
        for trial in req.get("trials", []):
            try:
                numbers[str(trial["key"])] = replay(study, trial)
            except Exception as e:  # a trial outside today's space (the file changed): left out, said why
                skipped.append({"key": trial["key"], "error": str(e)})
        return {"version": optuna.__version__, "numbers": numbers, "skipped": skipped}

    def running_trial(number):
        trial = state["asked"].get(number)
        if trial is None:
            frozen = state["study"].trials[number]
            trial = optuna.trial.Trial(state["study"], frozen._trial_id)
            state["asked"][number] = trial
        return trial

    def ask(req):
        trial = state["study"].ask()
        values = {}
        for p in state["params"]:
            if not active(p, values):
                continue
            name = p["name"]
            kind = p["type"]
            if kind == "categorical":
                values[name] = trial.suggest_categorical(name, p["choices"])
            elif kind == "int":
                values[name] = trial.suggest_int(name, int(p["low"]), int(p["high"]), step=int(p.get("step") or 1), log=bool(p.get("log")))
            elif p.get("step") is not None and not p.get("log"):
                values[name] = trial.suggest_float(name, float(p["low"]), float(p["high"]), step=float(p["step"]))
            else:
                values[name] = trial.suggest_float(name, float(p["low"]), float(p["high"]), log=bool(p.get("log")))
        state["asked"][trial.number] = trial
        return {"number": trial.number, "params": values}

    def tell(req):
        number = int(req["number"])
        kind = req["state"]
        if kind == "complete":
            state["study"].tell(number, float(req["value"]))
        elif kind == "pruned":
            state["study"].tell(number, state=optuna.trial.TrialState.PRUNED)
        else:
            state["study"].tell(number, state=optuna.trial.TrialState.FAIL)
        state["asked"].pop(number, None)
        return {}

    def report(req):
        trial = running_trial(int(req["number"]))
        step = int(req["step"])
        if step not in trial.storage.get_trial(trial._trial_id).intermediate_values:
            trial.report(float(req["value"]), step)
        return {"prune": bool(trial.should_prune())}

    def importance(req):
        from optuna.importance import FanovaImportanceEvaluator, get_param_importances
        values = get_param_importances(state["study"], evaluator=FanovaImportanceEvaluator(seed=0))
        return {"values": [{"param": k, "importance": float(v)} for k, v in values.items()], "trials": len(state["study"].get_trials(states=(optuna.trial.TrialState.COMPLETE,)))}

    ops = {"init": init, "ask": ask, "tell": tell, "report": report, "importance": importance}
    _reply({"id": 0, "ok": True, "result": {"ready": True, "version": optuna.__version__}})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            op = ops.get(req.get("op"))
            if op is None:
                raise ValueError("unknown op %r" % req.get("op"))
            if op is not init and state["study"] is None:
                raise ValueError("the driver has no study: init first")
            _reply({"id": req["id"], "ok": True, "result": op(req)})
        except Exception as e:
            _reply({"id": req["id"], "ok": False, "error": "%s: %s" % (type(e).__name__, e)})


try:
    main()
except ImportError as e:
    _reply({"id": 0, "ok": False, "error": "ImportError: %s" % e})
    sys.exit(3)
`;
