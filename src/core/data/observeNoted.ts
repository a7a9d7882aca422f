// Part of the observing hook (observeBootstrap.ts), inside its _labbook_observe(): the read paths
// noted in 'raws', a deque bounded at 'room' entries, are moved into 'opened' (deduplicated by
// working directory) when the deque is full, before a change (observeChanges.ts) and at the cap.
// The bound costs a read nothing: sentinels (empty sets) stand at the deque's front, so the append
// that fills it drops the first of them, not a noted path, and that sentinel's weak reference calls
// absorb() at once, in the appending thread. The sentinels behind the first keep another thread's
// appends, made before that callback runs, from dropping a noted path. Python text, indented for
// its place in the hook.

export const OBSERVE_NOTED = String.raw`    def on_drop(ref):
        # A sentinel was dropped: 'raws' is full.
        try:
            if ref in armed[0]:
                absorb()
        except Exception:
            pass

    def arm():
        marks = [set() for _ in range(sentinels)]
        for m in marks:
            raws.appendleft(m)
        armed[0] = tuple(weak_ref(m, on_drop) for m in marks)

    def absorb():
        # Moves the noted raw paths into 'opened', deduplicated (C-level dict work, no path work).
        nonlocal note
        # Imported here: a module's first import costs a bare start ~0.1 ms, and most runs never fill 'raws'.
        from itertools import islice
        with absorbing:
            if len(raws) == sentinels and armed[0]:
                # Only the sentinels: nothing noted since the last absorb (a write's check, say).
                return
            armed[0] = ()
            # Taken from the left in one C call, so a path another thread appends meanwhile stays.
            batch = list(islice(iter(take, None), len(raws)))
            arm()
            absorb_batch(batch)
            if capped[0] and note is not id:
                note = id

    def unarmed(batch):
        # The noted entries without the sentinels at their front.
        skip = 0
        while skip < len(batch) and batch[skip].__class__ is set:
            skip += 1
        return batch[skip:] if skip else batch

    def absorb_batch(batch):
        batch = unarmed(batch)
        if not batch:
            return
        start = 0
        segments = []
        if marked[0]:
            marked[0] = False
            for i, raw in enumerate(batch):
                if raw.__class__ is tuple and raw and raw[0] is mark:
                    segments.append((None, batch[start:i]))
                    segments.append((raw[1], None))
                    start = i + 1
        segments.append((None, batch[start:] if start else batch))
        for cwd, part in segments:
            if part is None:
                opened.append((cwd, {}))
                continue
            current = opened[-1][1]
            try:
                if current:
                    current.update(dict.fromkeys(part))
                else:
                    opened[-1] = (opened[-1][0], dict.fromkeys(part))
            except TypeError:
                for raw in part:
                    text = as_text(raw)
                    if text is not None:
                        current[text] = None
        if sum(len(d) for _, d in opened) >= max_paths and not capped[0]:
            capped[0] = True
            emit({'t': 'capped', 'max': max_paths})

`;
