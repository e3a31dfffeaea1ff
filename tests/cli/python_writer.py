"""python_writer.py TMPDIR: python/tripletscope_dump.py writes docs/dump-format.md
exactly, refuses what it should with a clear ValueError, and docs/attach.md's
runnable snippets run. Run by tests/cli/python_writer.sh (numpy required).
Leaves TMPDIR/run (a run written by the module) and TMPDIR/run.expect (its
batch count, then its name) for the shell script."""

import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import types
import warnings

import numpy as np

TMP = sys.argv[1]
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PYDIR = os.path.join(ROOT, "python")
MODULE = os.path.join(PYDIR, "tripletscope_dump.py")
ATTACH = os.path.join(ROOT, "docs", "attach.md")
sys.path.insert(0, PYDIR)

fails = []
checks = [0]


def check(cond, what):
    checks[0] += 1
    if not cond:
        fails.append(what)
        print("FAIL python_writer: " + what)


def refused(fn, needle, what):
    """fn() raises ValueError whose message contains needle."""
    try:
        fn()
    except ValueError as e:
        check(needle in str(e), "%s: message %r lacks %r" % (what, str(e), needle))
        return str(e)
    except Exception as e:  # noqa: BLE001 - a wrong exception is a failure
        check(False, "%s: raised %s (%s), not ValueError" % (what, type(e).__name__, e))
        return None
    check(False, "%s: not refused" % what)
    return None


# -- the module's source: Python 3.9, no framework imported ------------------
src = open(MODULE, encoding="utf-8").read()
try:
    ast.parse(src, feature_version=(3, 9))
except SyntaxError as e:
    check(False, "tripletscope_dump.py is not Python 3.9 syntax: %s" % e)
r = subprocess.run([sys.executable, "-c",
                    "import sys; sys.path.insert(0, %r); import tripletscope_dump; "
                    "bad = {'torch', 'tensorflow', 'keras', 'jax'} & set(sys.modules); "
                    "print(sorted(bad)); sys.exit(1 if bad else 0)" % PYDIR],
                   capture_output=True, text=True)
check(r.returncode == 0, "importing the module imports a framework: %s%s" % (r.stdout, r.stderr))

import tripletscope_dump as td  # noqa: E402
from tripletscope_dump import RunWriter  # noqa: E402

# -- record the renames: labels last, from dot-temporaries ---------------------
renames = []
_real_replace = os.replace


def _recording_replace(a, b, *args, **kw):
    renames.append((os.fspath(a), os.fspath(b)))
    return _real_replace(a, b, *args, **kw)


os.replace = _recording_replace

DUMP = re.compile(r"^(batch|eval)-([0-9]+)(\.rank([0-9]+))?(\.labels|\.ids)?\.npy$")


def check_renames(what):
    """Every rename is a dot-temporary in the same directory onto a format
    name, and per dump the labels file comes after its embeddings and ids."""
    seen = {}
    for i, (a, b) in enumerate(renames):
        da, fa = os.path.split(a)
        db, fb = os.path.split(b)
        check(da == db, "%s: %s renamed across directories" % (what, a))
        check(fa == "." + fb + ".tmp", "%s: temporary %s for %s" % (what, fa, fb))
        m = DUMP.match(fb)
        if m:
            key = (db, m.group(1), int(m.group(2)), m.group(4))
            part = seen.setdefault(key, {})
            kind = m.group(5) or ""
            # the labels' first rename against the embeddings' and ids' last
            part[kind] = min(part.get(kind, i), i) if kind == ".labels" else i
    for key, parts in seen.items():
        check("" in parts and ".labels" in parts, "%s: %s lacks embeddings or labels" % (what, key))
        if "" in parts and ".labels" in parts:
            check(parts[".labels"] > parts[""], "%s: %s labels before embeddings" % (what, key))
            if ".ids" in parts:
                check(parts[".labels"] > parts[".ids"], "%s: %s labels before ids" % (what, key))
    return seen


def npy_header(path):
    """The .npy header's dict, as written (numpy would give the descr as a
    native dtype)."""
    with open(path, "rb") as f:
        major = np.lib.format.read_magic(f)[0]
        n = int.from_bytes(f.read(2 if major == 1 else 4), "little")
        return ast.literal_eval(f.read(n).decode("latin1"))


def load(path):
    a = np.load(path, allow_pickle=False)
    h = npy_header(path)
    check(h["fortran_order"] is False, "%s: Fortran order" % path)
    check(h["descr"][0] in "<|", "%s: byte order of %r" % (path, h["descr"]))
    return a


def no_temps(d, what):
    left = [f for f in os.listdir(d) if f.startswith(".")]
    check(not left, "%s: temporaries left: %s" % (what, left))


class FakeTorch:
    """Duck-types a torch tensor: detach().cpu().numpy()."""

    def __init__(self, a, dtype=None, poison=False):
        self.a, self.dtype, self.poison = a, dtype or "torch.%s" % np.asarray(a).dtype, poison
        self.calls = []

    def detach(self):
        if self.poison:
            raise AssertionError("touched a tensor at a skipped step")
        self.calls.append("detach")
        return self

    def float(self):
        self.calls.append("float")
        return FakeTorch(np.asarray(self.a, np.float32), "torch.float32")

    def cpu(self):
        self.calls.append("cpu")
        return self

    def numpy(self):
        return np.asarray(self.a)


class FakeTF:
    """Duck-types a TensorFlow eager tensor: .numpy()."""

    def __init__(self, a):
        self.a = a

    def numpy(self):
        return np.asarray(self.a)


rng = np.random.default_rng(1)
B, D = 12, 5


def emb32(n=B):
    return rng.normal(size=(n, D)).astype(np.float32)


def labs(n=B):
    return rng.integers(0, 4, size=n)


# -- a run, every step, of every input kind ------------------------------------
run = os.path.join(TMP, "run")
w = RunWriter(run, name="pywriter-run", loss="triplet", miner="semihard", margin=0.2,
              normalize=True, batch_sampler="pk", seed=7)
cfg = json.load(open(os.path.join(run, "run.json")))
check(cfg == {"name": "pywriter-run", "loss": "triplet", "miner": "semihard", "margin": 0.2,
              "normalize": True, "batch_sampler": "pk", "seed": 7},
      "run.json holds the keys given plus name and loss: %r" % cfg)

inputs = {}  # step -> (expected embeddings, labels, ids)
steps = 0


def put(emb_in, lab_in, ids_in=None, expect=None):
    global steps
    e = np.asarray(expect if expect is not None else (emb_in.numpy() if hasattr(emb_in, "numpy") else emb_in))
    ok = w.batch(steps, emb_in, lab_in, ids=ids_in)
    check(ok is True, "batch(%d) returned %r" % (steps, ok))
    lab = lab_in.numpy() if hasattr(lab_in, "numpy") else np.asarray(lab_in)
    ids = None if ids_in is None else np.asarray(ids_in)
    inputs[steps] = (e, lab, ids)
    steps += 1


put(emb32(), labs())                                              # float32 fixes the run's dtype
put(emb32(), labs().astype(np.int8), ids_in=np.arange(B, dtype=np.uint32))
put(emb32().astype(np.float16), labs().astype(np.uint8))          # float16: stored as float32
put(emb32().astype(np.float64), labs(), ids_in=np.arange(B))      # float64: stored as float32
f_order = np.asfortranarray(emb32())
put(f_order, labs())                                              # Fortran order in, C out
put(emb32().astype(">f4"), labs().astype(">i8"))                  # big-endian in, little out
t = FakeTorch(emb32())
put(t, FakeTorch(labs()))                                         # a torch tensor
check(t.calls[:2] == ["detach", "cpu"], "torch tensor read as %s" % t.calls)
bf = FakeTorch(emb32(), dtype="torch.bfloat16")
put(bf, labs())                                                   # bfloat16: .float() first
check("float" in bf.calls, "a bfloat16 tensor was not converted with .float(): %s" % bf.calls)
put(FakeTF(emb32()), FakeTF(labs()))                              # a tf tensor
lst = emb32().tolist()
put(lst, [int(x) for x in labs()], expect=np.asarray(lst, np.float32))  # lists
put(emb32().astype(np.longdouble), labs())                        # other floats: float32
put(emb32(), labs(), ids_in=FakeTorch(np.arange(B)))              # ids as a tensor
eval_emb, eval_lab = rng.normal(size=(40, D)).astype(np.float32), np.arange(40) % 5
check(w.eval(steps - 1, eval_emb, eval_lab) is True, "eval() did not write")
w.scalars(0, loss=0.5, lr=1e-3)
w.scalars(1, {"loss/train": np.float32(0.25), "n": np.int64(3)}, acc=FakeTorch(np.float64(0.75)))
w.scalars(2, loss=float("nan"), grad=float("inf"))
check(w.step == 2, "writer.step is the last step given: %r" % w.step)
w.close()

files = sorted(os.listdir(run))
for s, (e, lab, ids) in inputs.items():
    p = os.path.join(run, "batch-%06d.npy" % s)
    a = load(p)
    check(a.shape == (B, D) and a.dtype == np.float32, "step %d: %s %s" % (s, a.shape, a.dtype))
    check(np.allclose(a, np.asarray(e, np.float64).astype(np.float32), rtol=1e-3), "step %d: values" % s)
    la = load(os.path.join(run, "batch-%06d.labels.npy" % s))
    check(la.shape == (B,) and la.dtype.kind in "iu", "step %d labels: %s %s" % (s, la.shape, la.dtype))
    check(np.array_equal(la, lab), "step %d labels: values" % s)
    check(la.dtype == np.asarray(lab).dtype.newbyteorder("<") or la.dtype == np.asarray(lab).dtype,
          "step %d labels keep their integer dtype: %s" % (s, la.dtype))
    idp = os.path.join(run, "batch-%06d.ids.npy" % s)
    if ids is None:
        check(not os.path.exists(idp), "step %d: an ids file nobody asked for" % s)
    else:
        ia = load(idp)
        check(ia.shape == (B,) and np.array_equal(ia, np.arange(B)), "step %d ids" % s)
ea = load(os.path.join(run, "eval-%06d.npy" % (steps - 1)))
check(ea.shape == (40, D) and ea.dtype == np.float32 and np.array_equal(ea, eval_emb), "eval embeddings")
el = load(os.path.join(run, "eval-%06d.labels.npy" % (steps - 1)))
check(np.array_equal(el, eval_lab), "eval labels")
lines = [json.loads(x) for x in open(os.path.join(run, "scalars.jsonl"))]
check(lines == [{"step": 0, "loss": 0.5, "lr": 0.001},
                {"step": 1, "loss/train": 0.25, "n": 3, "acc": 0.75},
                {"step": 2, "loss": None, "grad": None}], "scalars.jsonl: %r" % lines)
names = [f for f in files if not DUMP.match(f)]
check(sorted(names) == ["run.json", "scalars.jsonl"], "files of other names: %s" % names)
no_temps(run, "run")
seen = check_renames("run")
check(len([k for k in seen if k[1] == "batch"]) == steps, "batches renamed: %d, written %d" % (len(seen), steps))

# -- refusals: a clear ValueError, nothing written -------------------------------
before = sorted(os.listdir(run))
w2 = None
refused(lambda: RunWriter(run), "already holds another run's files", "a second writer into the run")
wr = RunWriter(os.path.join(TMP, "refusals"), dtype="float32")
refused(lambda: wr.batch(0, emb32(), labs() > 1), "bool", "bool labels")
refused(lambda: wr.batch(0, emb32(), labs().astype(np.float32)), "astype(int)", "float labels")
refused(lambda: wr.batch(0, emb32(), labs().reshape(-1, 1)), "reshape(-1)", "(B, 1) labels")
refused(lambda: wr.batch(0, emb32(), labs(B + 1)), "rows", "labels of another length")
refused(lambda: wr.batch(0, emb32(), labs(), ids=np.ones(B, bool)), "bool", "bool ids")
refused(lambda: wr.batch(0, emb32()[0], labs(1)), "2-D", "1-D embeddings")
refused(lambda: wr.batch(0, np.ones((B, D), np.int32), labs()), "float", "integer embeddings")
refused(lambda: wr.batch(0, np.ones((B, D), bool), labs()), "float", "bool embeddings")
refused(lambda: wr.batch(0, np.zeros((0, D), np.float32), labs(0)), "B, D >= 1", "an empty batch")
refused(lambda: wr.batch(-1, emb32(), labs()), "step", "a negative step")
refused(lambda: wr.batch(1.5, emb32(), labs()), "step", "a float step")
refused(lambda: wr.batch(2 ** 63, emb32(), labs()), "2**63", "a step past 63 bits")
wr.batch(0, emb32(), labs())
refused(lambda: wr.batch(0, emb32(), labs()), "already written", "the same step twice")
refused(lambda: wr.batch(1, rng.normal(size=(B, D + 1)), labs()), "D =", "another D")
refused(lambda: wr.eval(1, rng.normal(size=(B, D + 1)), labs()), "D =", "another D in an eval dump")
refused(lambda: wr.scalars(1, loss="low"), "numbers", "a text scalar")
refused(lambda: wr.scalars(1, {"step": 3}), "step", "a scalar named step")
wr.close()
refused(lambda: wr.batch(5, emb32(), labs()), "closed", "a closed writer")
check(sorted(os.listdir(os.path.join(TMP, "refusals"))) ==
      ["batch-000000.labels.npy", "batch-000000.npy", "run.json"],
      "refused calls wrote files: %s" % sorted(os.listdir(os.path.join(TMP, "refusals"))))
for kw, needle in ((dict(miner="batch-hard"), "miner must be one of"),
                   (dict(distance="l2"), "distance must be one of"),
                   (dict(batch_sampler="balanced"), "batch_sampler must be one of"),
                   (dict(margin=0), "margin must be a number > 0"),
                   (dict(pair_margin=-1.0), "pair_margin must be a number > 0"),
                   (dict(normalize="yes"), "normalize must be True or False"),
                   (dict(seed=-3), "seed must be"),
                   (dict(rank=-1), "rank must be"),
                   (dict(every=0), "every must be"),
                   (dict(dtype="int32"), "dtype must be")):
    refused(lambda: RunWriter(os.path.join(TMP, "badcfg"), **kw), needle, "RunWriter(%s)" % kw)
check(not os.path.exists(os.path.join(TMP, "badcfg", "run.json")), "a refused RunWriter wrote run.json")
check(sorted(os.listdir(run)) == before, "refusals changed the run")

# overwrite=True deletes the old run's files, and only those.
ow = os.path.join(TMP, "overwrite")
with RunWriter(ow) as a:
    a.batch(0, emb32(), labs())
    a.scalars(0, loss=1.0)
open(os.path.join(ow, "notes.txt"), "w").write("mine\n")
open(os.path.join(ow, ".batch-000009.npy.tmp"), "w").write("a crashed writer's\n")
with RunWriter(ow, name="again", overwrite=True) as a:
    check(sorted(os.listdir(ow)) == ["notes.txt", "run.json"], "overwrite left %s" % sorted(os.listdir(ow)))
check(json.load(open(os.path.join(ow, "run.json")))["name"] == "again", "overwrite: run.json not rewritten")
empty_ok = os.path.join(TMP, "foreign")
os.makedirs(empty_ok)
open(os.path.join(empty_ok, "README"), "w").write("x\n")
RunWriter(empty_ok).close()  # files of other names do not make a run
check(json.load(open(os.path.join(empty_ok, "run.json")))["name"] == "foreign", "name defaults to the directory's")

# -- every=N: a no-op but every N steps, without touching the tensor ------------
ev = os.path.join(TMP, "every")
with RunWriter(ev, every=4) as a:
    wrote = []
    for s in range(10):
        x = FakeTorch(emb32(), poison=(s % 4 != 0))
        wrote.append(a.batch(s, x, labs()))
    check(wrote == [s % 4 == 0 for s in range(10)], "every=4 wrote %s" % wrote)
    check(a.step == 9, "every: writer.step %r" % a.step)
got = sorted(int(DUMP.match(f).group(2)) for f in os.listdir(ev) if f.endswith(".labels.npy"))
check(got == [0, 4, 8], "every=4 steps on disk: %s" % got)

# -- dtypes: the first dump's, or dtype= --------------------------------------
for dt in ("float16", "float64"):
    d = os.path.join(TMP, "dtype-" + dt)
    with RunWriter(d) as a:
        a.batch(0, emb32().astype(dt), labs())
        a.batch(1, emb32(), labs())                     # converted to the run's dtype
        a.eval(1, emb32(30), labs(30))
    for f in ("batch-000000.npy", "batch-000001.npy", "eval-000001.npy"):
        check(load(os.path.join(d, f)).dtype == np.dtype(dt), "%s/%s not %s" % (d, f, dt))
d = os.path.join(TMP, "dtype-arg")
with RunWriter(d, dtype="float16") as a:
    a.batch(0, emb32(), labs())
check(load(os.path.join(d, "batch-000000.npy")).dtype == np.float16, "dtype='float16' not applied")
d = os.path.join(TMP, "nan")
with RunWriter(d) as a:
    e = emb32()
    e[0, 0], e[1, 1] = np.nan, np.inf
    a.batch(0, e, labs())
a = load(os.path.join(d, "batch-000000.npy"))
check(np.isnan(a[0, 0]) and np.isinf(a[1, 1]), "NaN / Inf not written as they are")

# -- ranks: batch-STEP.rankR.*, rank 0 alone writes run.json, scalars, evals ----
ddp = os.path.join(TMP, "ddp")
r0 = RunWriter(ddp, rank=0, name="ddp", loss="contrastive", pair_margin=1.0)
r1 = RunWriter(ddp, rank=1, name="ddp", loss="contrastive", pair_margin=1.0)  # a peer: accepted
for s in range(3):
    r0.batch(s, emb32(), labs())
    r1.batch(s, emb32(10), labs(10))
check(r1.eval(2, emb32(), labs()) is False and r1.scalars(2, loss=1.0) is False,
      "rank 1 wrote an eval dump or scalars")
check(r0.eval(2, emb32(), labs()) is True and r0.scalars(2, loss=1.0) is True, "rank 0 eval / scalars")
r0.close()
r1.close()
want = sorted(["batch-%06d.rank%d%s.npy" % (s, r, x) for s in range(3) for r in (0, 1) for x in ("", ".labels")]
              + ["eval-000002.npy", "eval-000002.labels.npy", "run.json", "scalars.jsonl"])
check(sorted(os.listdir(ddp)) == want, "ranks' files: %s" % sorted(os.listdir(ddp)))
for s in range(3):
    check(load(os.path.join(ddp, "batch-%06d.rank1.npy" % s)).shape == (10, D), "rank 1 batch shape")
refused(lambda: RunWriter(ddp, rank=1), "already holds", "rank 1 again into the run")
refused(lambda: RunWriter(ddp, rank=0), "already holds", "rank 0 again into the run")
refused(lambda: RunWriter(ddp), "already holds", "a rankless writer into a ranked run")
RunWriter(ddp, rank=2).close()  # rank 2 has no files there yet
no_temps(ddp, "ddp")

# -- pytorch-metric-learning's end_of_testing_hook ------------------------------
class Tester:
    """What BaseTester.test() hands its end_of_testing_hook: itself, with
    embeddings_and_labels {split: (embeddings, labels (N, levels))}."""

    def __init__(self, normalize=True, level=0, epoch=3):
        n = 30
        self.embeddings_and_labels = {
            "val": (FakeTorch(rng.normal(size=(n, D)).astype(np.float32)),
                    FakeTorch(np.stack([np.arange(n) % 3, np.arange(n) % 2], axis=1))),
            "train": (FakeTorch(emb32()), FakeTorch(labs().reshape(-1, 1))),
        }
        self.normalize_embeddings = normalize
        self.pca = None
        self.label_hierarchy_level = level
        self.all_accuracies = {"val": {"epoch": epoch}, "train": {"epoch": epoch}}


pml = os.path.join(TMP, "pml")
pw = RunWriter(pml)
chained = []
hook = td.pml_tester_hook(pw, split="val", then=chained.append)
t1 = Tester(level=1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    hook(t1)                      # no step anywhere yet: the epoch, 3
    pw.batch(10, emb32(30), labs(30))
    hook(Tester())                # the writer's step, 10
    hook(Tester())                # step 10 again: skipped, warned
msgs = [str(c.message) for c in caught]
check(sum("normalize_embeddings" in m for m in msgs) == 1, "normalisation warned %r" % msgs)
check(any("already written" in m for m in msgs), "a repeated eval step did not warn: %r" % msgs)
check(chained == [t1, chained[1], chained[2]] and len(chained) == 3, "then= not called each time")
ev3 = load(os.path.join(pml, "eval-000003.labels.npy"))
check(np.array_equal(ev3, np.arange(30) % 2), "hook: label level 1 not taken")
check(load(os.path.join(pml, "eval-000003.npy")).shape == (30, D), "hook: eval shape")
check(np.array_equal(load(os.path.join(pml, "eval-000010.labels.npy")), np.arange(30) % 3), "hook: level 0")
warnings.simplefilter("ignore")  # the normalisation warning was checked above
td.pml_tester_hook(pw, split="train", step=lambda t: 20)(Tester(normalize=False))
check(os.path.exists(os.path.join(pml, "eval-000020.labels.npy")), "hook: step= function")
refused(lambda: td.pml_tester_hook(pw, split="test")(Tester()), "not among the tester's splits", "hook: a missing split")
refused(lambda: td.pml_tester_hook(pw, level=5)(Tester()), "levels", "hook: a missing label level")
nt = Tester()
del nt.embeddings_and_labels
refused(lambda: td.pml_tester_hook(pw)(nt), "end_of_testing_hook", "hook: a tester without embeddings")
pw.close()

# -- the Keras callback, against a stand-in keras module ------------------------
fake = types.ModuleType("keras")
fake.callbacks = types.SimpleNamespace(Callback=type("Callback", (), {"__init__": lambda self: None}))
sys.modules["keras"] = fake
kd = os.path.join(TMP, "keras")
kw_ = RunWriter(kd, every=2)
xs, ys = rng.normal(size=(25, 3)), np.arange(25) % 5
predicted = []


class EmbModel:
    def predict(self, x, batch_size=None, verbose=None):
        predicted.append(batch_size)
        return np.asarray(x, np.float32)[:, :2]


cb = td.keras_callback(kw_, EmbModel(), xs, FakeTF(ys), every_epochs=1, batch_size=8)
cb.model = types.SimpleNamespace(optimizer=types.SimpleNamespace(iterations=FakeTF(np.int64(0))))
for i in range(1, 6):
    cb.model.optimizer.iterations = FakeTF(np.int64(i))
    cb.on_train_batch_end(i - 1, {"loss": np.float32(1.0 / i), "name": "x"})
cb.on_epoch_end(0, {})
cb.on_epoch_end(0, {})   # same step: not written twice
kw_.close()
del sys.modules["keras"]
check(predicted == [8], "keras: predict calls %r" % predicted)
check(np.array_equal(load(os.path.join(kd, "eval-000005.labels.npy")), ys), "keras: eval labels at step 5")
kl = [json.loads(x) for x in open(os.path.join(kd, "scalars.jsonl"))]
check([x["step"] for x in kl] == [2, 4] and "name" not in kl[0], "keras scalars %r" % kl)

# -- docs/attach.md: runnable blocks run, the others compile and need a framework
text = open(ATTACH, encoding="utf-8").read()
blocks = []  # (runnable, info, code, line)
lines_ = text.split("\n")
i = 0
while i < len(lines_):
    m = re.match(r"^```(\S*)\s*$", lines_[i])
    if m and m.group(1):
        info, start = m.group(1), i
        j = i + 1
        while j < len(lines_) and lines_[j] != "```":
            j += 1
        prev = lines_[start - 1] if start > 0 and lines_[start - 1].strip() else (lines_[start - 2] if start > 1 else "")
        blocks.append((prev.strip() == "<!-- runnable -->", info, "\n".join(lines_[start + 1:j]), start + 1))
        i = j + 1
    else:
        i += 1
FRAMEWORK = re.compile(r"torch|tensorflow|\btf\.|keras|Keras|pytorch_metric_learning|tfa\b|SummaryWriter")
docdir = os.path.join(TMP, "doc")
os.makedirs(docdir)
ns = {"__name__": "__attach__"}
ran = 0
del renames[:]
cwd = os.getcwd()
os.chdir(docdir)
try:
    for runnable, info, code, line in blocks:
        where = "docs/attach.md:%d" % line
        if info == "json":
            try:
                j = json.loads(code)
            except ValueError as e:
                check(False, "%s: JSON does not parse: %s" % (where, e))
                continue
            # the keys and values run.json allows, as RunWriter checks them
            kw = {k: v for k, v in j.items() if k != "name"}
            try:
                RunWriter(os.path.join(TMP, "json-%d" % line), name=j.get("name"), **kw).close()
            except (ValueError, TypeError) as e:
                check(False, "%s: run.json not of the format: %s" % (where, e))
            continue
        if info != "python":
            continue
        try:
            compiled = compile(code, where, "exec")
        except SyntaxError as e:
            check(False, "%s: does not compile: %s" % (where, e))
            continue
        if not runnable:
            check(FRAMEWORK.search(code) is not None,
                  "%s: a block that needs no framework is not marked <!-- runnable -->" % where)
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compiled, ns)
            ran += 1
        except Exception as e:  # noqa: BLE001
            check(False, "%s: raised %s: %s" % (where, type(e).__name__, e))
finally:
    os.chdir(cwd)
check(ran >= 4, "only %d runnable blocks of docs/attach.md ran" % ran)
seen = check_renames("docs/attach.md")
check(len(seen) >= 11, "docs/attach.md's blocks dumped %d batches / evals" % len(seen))
for root, dirs, fs in os.walk(docdir):
    no_temps(root, "docs/attach.md " + root)
demo = os.path.join(docdir, "runs", "demo")
if os.path.isdir(demo):
    check(len([f for f in os.listdir(demo) if f.startswith("batch-") and f.endswith(".labels.npy")]) == 10,
          "docs/attach.md's demo: not 10 batches")
plain = os.path.join(docdir, "runs", "my-run")
check(os.path.exists(os.path.join(plain, "batch-000000.labels.npy")), "the plain numpy dump wrote no batch")
for f in os.listdir(plain) if os.path.isdir(plain) else ():
    if DUMP.match(f):
        load(os.path.join(plain, f))
os.replace = _real_replace

with open(os.path.join(TMP, "run.expect"), "w") as f:
    f.write("%d\n%s\n" % (steps, "pywriter-run"))

if fails:
    print("python_writer: %d of %d checks failed" % (len(fails), checks[0]))
    sys.exit(1)
print("python_writer: ok (%d checks, %d batches, %d doc blocks run)" % (checks[0], steps, ran))
