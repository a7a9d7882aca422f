// The Python side of executeNotebook: runs a notebook with nbclient in the interpreter it is started
// with. Kept here as text and written to a temp file at run time, so nothing extra is packaged.
// Arguments: one JSON file {notebook, output, result, parameters, timeout, cwd}. Stream output is
// echoed to stdout/stderr as the kernel sends it; the outcome is written as JSON to `result`.

export const EXECUTE_DRIVER = String.raw`
import json
import os
import sys
import tempfile
import time


def write_result(path, payload):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        args = json.load(fh)
    result_path = args["result"]
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        import ipykernel  # noqa: F401  (the kernel the notebook runs in)
    except ImportError as error:
        write_result(result_path, {"status": "missing", "module": getattr(error, "name", None) or str(error)})
        return 3

    try:
        nb = nbformat.read(args["notebook"], as_version=4)
    except Exception as error:  # nbformat raises several kinds for a file that is not a notebook
        write_result(result_path, {"status": "corrupt", "message": f"{type(error).__name__}: {error}"})
        return 4

    # Parameters, papermill style: a cell tagged injected-parameters after the one tagged parameters.
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    original_count = len(nb.cells)
    injected_at = None
    if args["parameters"]:
        lines = ["# Parameters injected by Labbook"] + [f"{name} = {value!r}" for name, value in args["parameters"].items()]
        cell = nbformat.v4.new_code_cell("\n".join(lines))
        cell.metadata["tags"] = ["injected-parameters"]
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
        injected_at = tagged[0] + 1 if tagged else 0
        nb.cells.insert(injected_at, cell)

    # The kernel runs in this very interpreter, whatever kernelspecs the machine has.
    spec_root = tempfile.mkdtemp(prefix="labbook-kernel-")
    spec_dir = os.path.join(spec_root, "kernels", "labbook-python")
    os.makedirs(spec_dir)
    with open(os.path.join(spec_dir, "kernel.json"), "w", encoding="utf-8") as fh:
        json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Python", "language": "python"}, fh)
    os.environ["JUPYTER_PATH"] = spec_root + os.pathsep + os.environ.get("JUPYTER_PATH", "")

    state = {"index": None}

    def on_cell_start(cell, cell_index, **_):
        state["index"] = cell_index

    class StreamingClient(NotebookClient):
        # Echo stream output as the kernel sends it, not when the cell ends.
        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") == "stream":
                content = msg.get("content", {})
                stream = sys.stderr if content.get("name") == "stderr" else sys.stdout
                stream.write(content.get("text", ""))
                stream.flush()
            return super().output(outs, msg, display_id, cell_index)

    timeout = args.get("timeout")
    client = StreamingClient(
        nb,
        timeout=timeout,
        kernel_name="labbook-python",
        allow_errors=False,
        startup_timeout=120,
        resources={"metadata": {"path": args["cwd"]}},
        on_cell_start=on_cell_start,
    )
    started = time.monotonic()
    payload = {"status": "ok"}
    try:
        client.execute()
    except CellTimeoutError as error:
        payload = {"status": "failed", "ename": "CellTimeoutError", "evalue": f"the cell did not finish within {timeout} s", "traceback": [str(error)]}
    except DeadKernelError as error:
        payload = {"status": "failed", "ename": "DeadKernelError", "evalue": str(error), "traceback": []}
    except CellExecutionError as error:
        payload = {"status": "failed", "ename": error.ename, "evalue": error.evalue, "traceback": []}
        index = state["index"]
        if index is not None:
            for output in nb.cells[index].get("outputs", []):
                if output.get("output_type") == "error":
                    payload.update(ename=output.get("ename", ""), evalue=output.get("evalue", ""), traceback=list(output.get("traceback", [])))
    except KeyboardInterrupt:
        payload = {"status": "cancelled"}
    finally:
        try:
            nbformat.write(nb, args["output"])
        except OSError as error:
            payload = {"status": "unwritable", "message": str(error)}
    if payload["status"] == "failed":
        index = state["index"]
        if index is not None:
            cell = nb.cells[index]
            # Report the index in the notebook as the user wrote it, not counting an injected cell.
            if injected_at is not None and index == injected_at:
                payload["injected"] = True
            elif injected_at is not None and index > injected_at:
                index -= 1
            payload["index"] = index
            if cell.get("id"):
                payload["cellId"] = cell["id"]
    payload["cells"] = original_count
    payload["seconds"] = time.monotonic() - started
    write_result(result_path, payload)
    return 0 if payload["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
`;
