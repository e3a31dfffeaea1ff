"""Write a training run's embeddings for ``tripletscope --watch``.

One file, numpy only, Python 3.9+. It writes the run directory of
docs/dump-format.md (a public format) and nothing else::

    from tripletscope_dump import RunWriter

    with RunWriter("runs/my-run", loss="triplet", miner="semihard", margin=0.2,
                   normalize=True, every=10) as w:
        for step, (x, y) in enumerate(loader):
            emb = model(x)
            loss = loss_fn(emb, y)
            ...
            w.batch(step, emb, y)            # a no-op but every 10th step
            w.scalars(step, loss=loss.item())
        w.eval(step, model(x_held_out), y_held_out)

What it guarantees (docs/dump-format.md, "Writing atomically"):

* every file is written under a name starting with a dot (which the reader
  ignores), then renamed into place with ``os.replace``, so the reader never
  sees half a file;
* a batch's embeddings are written first, then its ids, and its labels file
  last (the reader takes the labels file as the batch's "complete" mark);
  eval dumps likewise;
* arrays are written C-ordered and little-endian; embeddings as float16,
  float32 or float64 (other floats, bfloat16 among them, as float32), labels
  and ids as the integer dtype given.

Rules it enforces (each broken one raises ``ValueError`` with the reason):

* embeddings are 2-D (B, D) floats; labels are 1-D integers of length B
  (class ids: bool or float labels are refused, so are pair flags); ids
  likewise;
* D is fixed for the run (the first dump's); the dtype too: ``dtype=`` sets
  it, else the first dump's, and later dumps of another float dtype are
  converted to it (a float16 batch under autocast in a float32 run);
* a step is written once per kind (batch, eval);
* **a directory that already holds another run's files is refused**: the
  format says nothing of it, and mixing two runs' steps in one directory
  would be read as one run. ``overwrite=True`` deletes that run's files first
  (only files of the format's names: ``batch-*``, ``eval-*``, ``run.json``,
  ``scalars.jsonl``, and this module's dot-temporaries; nothing else). A
  resumed run wants a new directory. With ``rank=R`` (R > 0) only that
  rank's own batch files count, so every rank can open the same directory;
  rank 0 (or no rank) counts the rest.

Data-parallel runs: give each process its ``rank``. Each rank writes
``batch-STEP.rankR.*``; only rank 0 (or ``rank=None``) writes ``run.json``,
``scalars.jsonl`` and eval dumps (on other ranks those calls do nothing), so
the same code runs on every rank. tripletscope reads rank 0 for now.

Tensors: PyTorch tensors are read with ``.detach().cpu().numpy()`` and
TensorFlow tensors with ``.numpy()``, without importing either library;
anything else goes through ``numpy.asarray``. With ``every=N``, ``batch`` at
a step that is not a multiple of N returns before touching the tensor, so it
costs no GPU synchronisation.
"""

import json
import math
import numbers
import os
import re
import warnings

import numpy as np

__all__ = ["RunWriter", "pml_tester_hook", "keras_callback"]
__version__ = "1.0"

MINERS = ("hardest-neg", "random", "all", "hard", "semihard")
DISTANCES = ("euclidean", "squared", "cosine")
SAMPLERS = ("pk", "uniform")
MAX_STEP = 2 ** 63 - 1

# The format's file names (docs/dump-format.md, "Files"): what counts as a
# run's own file, for refusing or clearing a directory.
_DUMP_RE = re.compile(r"^(batch|eval)-([0-9]+)(\.rank([0-9]+))?(\.labels|\.ids)?\.npy$")
_TEMP_RE = re.compile(r"^\.(batch|eval|run|scalars).*\.tmp$")


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _scalar(v):
    """A Python number of a 0-d tensor or array (torch .item(), tf .numpy())."""
    if isinstance(v, numbers.Number):
        return v
    if hasattr(v, "item"):
        return v.item()
    if callable(getattr(v, "numpy", None)):
        a = np.asarray(v.numpy())
        if a.size == 1:
            return a.item()
    return v


def _check_step(step):
    step = _scalar(step)
    if not _is_int(step):
        raise ValueError("step must be an integer, got %r" % (step,))
    step = int(step)
    if step < 0 or step > MAX_STEP:
        raise ValueError("step must be in 0..2**63-1, got %d" % step)
    return step


def to_numpy(x):
    """A numpy array of x: a numpy array, a PyTorch tensor, a TensorFlow
    tensor, a list. Neither framework is imported."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # PyTorch
        t = x.detach()
        if str(getattr(t, "dtype", "")) == "torch.bfloat16":
            t = t.float()  # numpy has no bfloat16
        return t.cpu().numpy()
    if callable(getattr(x, "numpy", None)):  # TensorFlow eager tensors
        return np.asarray(x.numpy())
    return np.asarray(x)


def _what(a):
    return "shape %s, dtype %s" % (tuple(a.shape), a.dtype)


def _embeddings(x, what):
    a = to_numpy(x)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError("%s must be a 2-D (B, D) array with B, D >= 1; got %s" % (what, _what(a)))
    kind = a.dtype.kind
    if kind == "f":
        if a.dtype.itemsize not in (2, 4, 8):
            a = a.astype(np.float32)  # longdouble
    elif kind == "V" and "float" in a.dtype.name:
        a = a.astype(np.float32)  # bfloat16 and friends (ml_dtypes)
    else:
        raise ValueError("%s must be floats (float16, float32 or float64); got %s" % (what, _what(a)))
    return a


def _integers(x, what, n):
    a = to_numpy(x)
    if a.dtype.kind == "b":
        raise ValueError(
            "%s are bool (%s): pass integer class ids, one per row; "
            "pair flags (same / different) are not labels" % (what, _what(a)))
    if a.dtype.kind not in "iu":
        hint = ""
        if a.dtype.kind == "f":
            hint = "; if they are whole numbers, pass %s.astype(int)" % what.split()[0]
        raise ValueError("%s must be integers (class ids); got %s%s" % (what, _what(a), hint))
    if a.ndim != 1:
        hint = " (a column? pass .reshape(-1))" if a.ndim == 2 and a.shape[1] == 1 else ""
        raise ValueError("%s must be 1-D (B,); got %s%s" % (what, _what(a), hint))
    if a.shape[0] != n:
        raise ValueError("%s has %d rows, the embeddings %d" % (what, a.shape[0], n))
    return a


def _little(a):
    """C order, little-endian (the format's byte order)."""
    if a.dtype.byteorder == ">" or (a.dtype.byteorder == "=" and np.little_endian is False):
        a = a.astype(a.dtype.newbyteorder("<"))
    return np.ascontiguousarray(a)


def _replace_into(path, write):
    """write(f) to a dot-temporary beside path, then rename it into place."""
    d, base = os.path.split(path)
    tmp = os.path.join(d, "." + base + ".tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _save(path, a):
    # np.save on a file object: on a path it would append ".npy" to the
    # temporary name.
    _replace_into(path, lambda f: np.save(f, a, allow_pickle=False))


def _number(v):
    """A JSON-able number, None for NaN / Inf (JSON has none)."""
    v = _scalar(v)
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError("scalars must be numbers; got %r" % (v,))
    if _is_int(v):
        return int(v)
    v = float(v)
    return v if math.isfinite(v) else None


class RunWriter:
    """Writes one run directory of docs/dump-format.md.

    RunWriter(dir, name=None, loss="triplet", miner=None, margin=None,
              pair_margin=None, distance=None, normalize=None,
              batch_sampler=None, seed=None, rank=None,
              every=1, dtype=None, overwrite=False)

    Creates dir if needed and writes run.json at once, with the keys given
    (None: left out, the reader's default applies) plus ``name`` (default:
    the directory's name) and ``loss``. Values are checked against the
    format: miner one of "hardest-neg", "random", "all", "hard" (batch-hard),
    "semihard"; distance "euclidean", "squared" or "cosine"; batch_sampler
    "pk" or "uniform"; margins > 0; normalize a bool; seed an integer >= 0.

    Refuses (ValueError) a directory holding another run's files unless
    ``overwrite=True``, which deletes those files first (see the module's
    docstring).

    ``step`` is the last step given to batch, eval or scalars (None before
    any); pml_tester_hook and keras_callback read it; you may set it.
    """

    def __init__(self, dir, name=None, loss="triplet", miner=None, margin=None,
                 pair_margin=None, distance=None, normalize=None, batch_sampler=None,
                 seed=None, rank=None, every=1, dtype=None, overwrite=False):
        self.dir = os.fspath(dir)
        if rank is not None and (not _is_int(rank) or rank < 0):
            raise ValueError("rank must be a non-negative integer or None, got %r" % (rank,))
        if not _is_int(every) or every < 1:
            raise ValueError("every must be an integer >= 1, got %r" % (every,))
        self.rank = None if rank is None else int(rank)
        self.every = int(every)
        self.step = None
        self.dim = None
        self.dtype = None
        if dtype is not None:
            dt = np.dtype(dtype)
            if dt not in (np.float16, np.float32, np.float64):
                raise ValueError("dtype must be float16, float32 or float64, got %s" % dt)
            self.dtype = dt
        self._written = {"batch": set(), "eval": set()}
        self._scalars = None
        self._closed = False
        self.primary = self.rank is None or self.rank == 0

        config = self._config(name, loss, miner, margin, pair_margin, distance,
                              normalize, batch_sampler, seed)
        os.makedirs(self.dir, exist_ok=True)
        mine = self._own_files(temps=False)
        if mine and not overwrite:
            shown = ", ".join(sorted(mine)[:3]) + (", ..." if len(mine) > 3 else "")
            raise ValueError(
                "%s already holds another run's files (%d: %s); write this run to a new "
                "directory, or pass overwrite=True to delete them first"
                % (self.dir, len(mine), shown))
        for f in self._own_files(temps=True) if overwrite else ():
            os.unlink(os.path.join(self.dir, f))
        self.config = config
        if self.primary:
            text = json.dumps(config, indent=1) + "\n"
            _replace_into(os.path.join(self.dir, "run.json"),
                          lambda f: f.write(text.encode("utf-8")))

    def _config(self, name, loss, miner, margin, pair_margin, distance, normalize,
                batch_sampler, seed):
        if name is None:
            name = os.path.basename(os.path.normpath(os.path.abspath(self.dir)))
        if not isinstance(name, str) or not name:
            raise ValueError("name must be a non-empty string, got %r" % (name,))
        if not isinstance(loss, str) or not loss:
            raise ValueError("loss must be a string such as 'triplet' or 'contrastive', got %r" % (loss,))
        c = {"name": name, "loss": loss}
        for key, value, allowed in (("miner", miner, MINERS), ("distance", distance, DISTANCES),
                                    ("batch_sampler", batch_sampler, SAMPLERS)):
            if value is None:
                continue
            if value not in allowed:
                raise ValueError("%s must be one of %s, got %r" % (key, ", ".join(allowed), value))
            c[key] = value
        for key, value in (("margin", margin), ("pair_margin", pair_margin)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                    or not math.isfinite(value) or value <= 0:
                raise ValueError("%s must be a number > 0, got %r" % (key, value))
            c[key] = float(value)
        if normalize is not None:
            if not isinstance(normalize, (bool, np.bool_)):
                raise ValueError("normalize must be True or False, got %r" % (normalize,))
            c["normalize"] = bool(normalize)
        if seed is not None:
            if not _is_int(seed) or seed < 0:
                raise ValueError("seed must be a non-negative integer, got %r" % (seed,))
            c["seed"] = int(seed)
        return c

    def _own_files(self, temps):
        """The files of the format's names this writer would mix with (and,
        with temps, the dot-temporaries a crashed writer may have left)."""
        own = []
        for f in os.listdir(self.dir):
            if temps and _TEMP_RE.match(f):
                if self.rank is None or ".rank%d." % self.rank in f or (
                        self.rank == 0 and ".rank" not in f):
                    own.append(f)
                continue
            m = _DUMP_RE.match(f)
            if m:
                r = m.group(4)
                if self.rank is None:
                    own.append(f)  # no ranks in this run: every rank file is stale
                elif self.rank == 0:
                    if r is None or int(r) == 0:
                        own.append(f)
                elif r is not None and int(r) == self.rank:
                    own.append(f)
            elif self.primary and f in ("run.json", "scalars.jsonl"):
                own.append(f)
        return own

    # -- dumps ---------------------------------------------------------------

    def _name(self, kind, step, suffix):
        rank = ".rank%d" % self.rank if kind == "batch" and self.rank is not None else ""
        return os.path.join(self.dir, "%s-%06d%s%s.npy" % (kind, step, rank, suffix))

    def _fix(self, emb, what):
        """The run's D and dtype: checked, or set by the first dump."""
        if self.dim is None:
            self.dim = emb.shape[1]
        elif emb.shape[1] != self.dim:
            raise ValueError("%s have D = %d, the run's first dump %d (D is fixed for a run)"
                             % (what, emb.shape[1], self.dim))
        if self.dtype is None:
            self.dtype = emb.dtype
        if emb.dtype != self.dtype:
            emb = emb.astype(self.dtype)
        return emb

    def _dump(self, kind, step, embeddings, labels, ids):
        if self._closed:
            raise ValueError("this RunWriter is closed")
        if step in self._written[kind]:
            raise ValueError("%s dump of step %d already written" % (kind, step))
        what = "%s embeddings" % kind
        emb = _embeddings(embeddings, what)
        n = emb.shape[0]
        lab = _integers(labels, "labels", n)
        idx = None if ids is None else _integers(ids, "ids", n)
        emb = self._fix(emb, what)
        _save(self._name(kind, step, ""), _little(emb))
        if idx is not None:
            _save(self._name(kind, step, ".ids"), _little(idx))
        _save(self._name(kind, step, ".labels"), _little(lab))  # last: "complete"
        self._written[kind].add(step)

    def batch(self, step, embeddings, labels, ids=None):
        """Dump a training batch: embeddings (B, D) as the model output them
        (before any normalisation the loss applies), labels (B,) integer
        class ids, ids (B,) the rows' sample ids (optional). Returns True
        when written, False at a step skipped by ``every``."""
        step = _check_step(step)
        self.step = step
        if step % self.every != 0:
            return False
        self._dump("batch", step, embeddings, labels, ids)
        return True

    def eval(self, step, embeddings, labels):
        """Dump the embeddings of a fixed held-out set (N, D) with their
        labels (N,). Rank 0 (or no rank) only: a no-op on other ranks
        (returns False)."""
        step = _check_step(step)
        self.step = step
        if not self.primary:
            return False
        self._dump("eval", step, embeddings, labels, None)
        return True

    def scalars(self, step, values=None, /, **numbers):
        """Append one line {"step": step, ...} to scalars.jsonl, flushed.
        Numbers as keywords, or a dict (for keys that are not Python names,
        "loss/train"). NaN and Inf are written as null (JSON has neither).
        Rank 0 (or no rank) only: a no-op on other ranks (returns False)."""
        step = _check_step(step)
        self.step = step
        if self._closed:
            raise ValueError("this RunWriter is closed")
        if not self.primary:
            return False
        items = dict(values or {})
        items.update(numbers)
        line = {"step": step}
        for k, v in items.items():
            if k == "step":
                raise ValueError("'step' is the line's step, not a scalar")
            line[str(k)] = _number(v)
        if self._scalars is None:
            self._scalars = open(os.path.join(self.dir, "scalars.jsonl"), "a", encoding="utf-8")
        self._scalars.write(json.dumps(line, allow_nan=False) + "\n")
        self._scalars.flush()
        return True

    def close(self):
        if self._scalars is not None:
            self._scalars.close()
            self._scalars = None
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def pml_tester_hook(writer, split="val", step=None, level=None, then=None):
    """An ``end_of_testing_hook`` for pytorch-metric-learning testers.

        hook = pml_tester_hook(writer, split="val", then=hooks.end_of_testing_hook)
        tester = testers.GlobalEmbeddingSpaceTester(end_of_testing_hook=hook,
                                                    normalize_embeddings=False)

    A tester calls its end_of_testing_hook(tester) at the end of
    ``tester.test(...)``, while ``tester.embeddings_and_labels`` (a dict:
    split name -> (embeddings (N, D), labels (N, L)), torch tensors) still
    holds every split; it deletes that attribute right after. The hook
    writes ``embeddings_and_labels[split]`` as an eval dump. Labels there
    have one column per label-hierarchy level: the hook takes column
    ``level`` (default: the tester's ``label_hierarchy_level`` when it is an
    integer, else 0).

    The step: ``step`` (an integer, or a function of the tester), else the
    writer's ``step`` (the last step you gave batch or scalars), else the
    epoch the tester was called with (``tester.all_accuracies[split]
    ["epoch"]``). A step that already has an eval dump is skipped with a
    warning, not an error (the test goes on).

    The tester normalises the embeddings before the hook sees them when its
    ``normalize_embeddings`` is True (its default) and applies its ``pca``:
    the dump's norms are then all 1. The hook warns once; construct the
    tester with ``normalize_embeddings=False`` to dump raw outputs.

    A tester has one end_of_testing_hook, and giving one replaces its
    default (logging the accuracies): ``then`` is called after the dump
    with the tester, e.g. logging_presets' ``hooks.end_of_testing_hook``.
    """
    warned = []

    def hook(tester):
        eal = getattr(tester, "embeddings_and_labels", None)
        if not isinstance(eal, dict):
            raise ValueError("tester has no embeddings_and_labels dict: call this hook as the "
                             "tester's end_of_testing_hook")
        if split not in eal:
            raise ValueError("split %r not among the tester's splits %s" % (split, sorted(eal)))
        emb, labels = eal[split]
        if not warned and (getattr(tester, "normalize_embeddings", False) or getattr(tester, "pca", None)):
            warned.append(True)
            warnings.warn("the tester normalised (normalize_embeddings=True) or reduced (pca) the "
                          "embeddings before its end_of_testing_hook: the eval dump's norms are "
                          "not the model's; construct it with normalize_embeddings=False, pca=None",
                          stacklevel=2)
        labels = to_numpy(labels)
        if labels.ndim == 2:
            col = level
            if col is None:
                lvl = getattr(tester, "label_hierarchy_level", 0)
                col = lvl if _is_int(lvl) else 0
            if not 0 <= col < labels.shape[1]:
                raise ValueError("label level %d: the tester's labels have %d levels"
                                 % (col, labels.shape[1]))
            labels = labels[:, col]
        if callable(step):
            s = step(tester)
        elif step is not None:
            s = step
        elif writer.step is not None:
            s = writer.step
        else:
            s = getattr(tester, "all_accuracies", {}).get(split, {}).get("epoch")
            if s is None:
                raise ValueError("no step: pass step= to pml_tester_hook, or give the writer one")
        s = _check_step(s)
        if s in writer._written["eval"]:
            warnings.warn("eval dump of step %d already written; skipped" % s, stacklevel=2)
        else:
            writer.eval(s, emb, labels)
        if then is not None:
            then(tester)

    return hook


def keras_callback(writer, embedding_model, x, labels, every_epochs=1, batch_size=256, scalars=True):
    """A Keras callback: an eval dump of ``embedding_model.predict(x)`` with
    ``labels`` at the end of every ``every_epochs``-th epoch, and (with
    ``scalars``) the numeric ``logs`` of every ``writer.every``-th training
    batch as a scalars line. The step is the optimizer's iteration count
    when it can be read, else a count of training batches since fit began.

    Keras is imported when this is called (``keras``, else
    ``tensorflow.keras``), not when the module is. Training-batch dumps need
    the batch's embeddings, which a callback never sees: dump them from a
    custom training loop (docs/attach.md).
    """
    try:
        import keras
        Callback = keras.callbacks.Callback
    except ImportError:
        from tensorflow import keras
        Callback = keras.callbacks.Callback
    labels = to_numpy(labels)

    class _Dump(Callback):
        def __init__(self):
            super().__init__()
            self.count = 0

        def _step(self):
            it = getattr(getattr(getattr(self, "model", None), "optimizer", None), "iterations", None)
            try:
                it = it.numpy() if hasattr(it, "numpy") else it
                return int(it) if it is not None else self.count
            except (TypeError, ValueError):
                return self.count

        def on_train_batch_end(self, batch, logs=None):
            self.count += 1
            s = self._step()
            writer.step = s
            if scalars and logs and s % writer.every == 0:
                nums = {}
                for k, v in logs.items():
                    try:
                        nums[k] = _number(v)
                    except ValueError:
                        pass
                writer.scalars(s, nums)

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every_epochs != 0:
                return
            s = writer.step if writer.step is not None else self._step()
            if s in writer._written["eval"]:
                return
            emb = embedding_model.predict(x, batch_size=batch_size, verbose=0)
            writer.eval(s, emb, labels)

    return _Dump()
