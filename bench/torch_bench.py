#!/usr/bin/python3
"""PyTorch implementation of the training tripletscope times, for `make bench`.

Same network (in-256-128-32, ReLU, PyTorch's default init), Adam 1e-3, batches
of 128 (P x K = 8 x 16), L2-normalised embeddings, Euclidean distance with an
epsilon inside the square root (through a matrix product, as tripletscope),
triplet margin 0.2, contrastive pair margin 1.0. Prints steps/s of one model.

  torch_bench.py --data fashion|digits --miner M --steps N [--threads T]
                 [--batch B --k K --embed-dim E] [--seconds S] [--repeat R]
  M: contrastive, random, all, hard, semihard, hardest-neg (the question's
     own mining and loss, written as Python loops)
  --batch, --k, --embed-dim: other shapes (the defaults are the above: 128,
     16, 32); P = B / K classes per batch.
  --seconds S: time steps until S seconds have passed instead of --steps
     (for shapes whose speed is not known in advance).
  --repeat R: R timed runs in one process, one line each (the import and the
     data's loading paid once).
"""
import argparse, gzip, os, struct, sys, time
import numpy as np
import torch
import torch.nn as nn

EPS = 1e-12


def load(data, repo):
    if data == "fashion":
        d = "/usr/share/datasets/fashion-mnist"
        with gzip.open(os.path.join(d, "train-images-idx3-ubyte.gz")) as f:
            _, n, r, c = struct.unpack(">IIII", f.read(16))
            x = np.frombuffer(f.read(), np.uint8).reshape(n, r * c)
        with gzip.open(os.path.join(d, "train-labels-idx1-ubyte.gz")) as f:
            f.read(8)
            y = np.frombuffer(f.read(), np.uint8).astype(np.int64)
        return torch.from_numpy(x.copy()), torch.from_numpy(y), 255.0
    with gzip.open(os.path.join(repo, "datasets", "digits.csv.gz"), "rt") as f:
        a = np.loadtxt(f, delimiter=",")
    x = a[:, :-1].astype(np.uint8)
    y = a[:, -1].astype(np.int64)
    return torch.from_numpy(x.copy()), torch.from_numpy(y), 16.0


class PK:
    def __init__(self, y, p, k, seed):
        self.rng = np.random.default_rng(seed)
        self.by_class = [np.flatnonzero(y.numpy() == c) for c in range(int(y.max()) + 1)]
        self.p, self.k = p, k

    def next(self):
        classes = self.rng.choice(len(self.by_class), self.p, replace=False)
        return np.concatenate([self.rng.choice(self.by_class[c], self.k, replace=False)
                               for c in classes])


_fixed = {}


def fixed(n):
    """Masks that depend only on the batch size, built once."""
    if n not in _fixed:
        eye = torch.eye(n, dtype=torch.bool)
        _fixed[n] = (eye, (~eye).float(), torch.triu(torch.ones(n, n, dtype=torch.bool), 1))
    return _fixed[n]


def pdist(e):
    n = (e * e).sum(1)
    sq = (n[:, None] + n[None, :] - 2.0 * e @ e.t()).clamp_min(0.0)
    sq = sq * fixed(len(e))[1]
    return torch.sqrt(sq + EPS)


def masks(y):
    same = y[:, None] == y[None, :]
    return same & ~fixed(len(y))[0], ~same


def loss_contrastive(e, y, m=1.0):
    d = pdist(e)
    pos, neg = masks(y)
    upper = fixed(len(y))[2]
    l = pos * d ** 2 + neg * torch.relu(m - d) ** 2
    return l[upper].mean()


def loss_hard(e, y, m=0.2):
    d = pdist(e)
    pos, neg = masks(y)
    hp = (d * pos).max(1).values
    hn = (d + 1e9 * (~neg)).min(1).values
    ok = pos.any(1) & neg.any(1)
    return torch.relu(hp - hn + m)[ok].mean()


def loss_semihard(e, y, m=0.2):
    # TF Addons' rule: per positive pair the closest negative farther than
    # d_ap, else the farthest negative; mean over positive pairs.
    d = pdist(e)
    pos, neg = masks(y)
    dap = d[:, :, None]                      # (a, p, 1)
    dan = d[:, None, :]                      # (a, 1, n)
    negm = neg[:, None, :]
    farther = negm & (dan > dap)
    semi = torch.where(farther, dan, torch.full_like(dan, 1e9)).min(2).values
    far = torch.where(negm, dan, torch.full_like(dan, -1e9)).max(2).values
    chosen = torch.where(farther.any(2), semi, far)
    return torch.relu(d - chosen + m)[pos].mean()


def loss_all(e, y, m=0.2):
    d = pdist(e)
    pos, neg = masks(y)
    l = torch.relu(d[:, :, None] - d[:, None, :] + m)
    valid = pos[:, :, None] & neg[:, None, :]
    l = l[valid]
    nz = (l > 0).sum()
    return l.sum() / nz.clamp_min(1)


def loss_random(e, y, m=0.2):
    d = pdist(e)
    pos, neg = masks(y)
    ok = pos.any(1) & neg.any(1)
    p = torch.multinomial(pos[ok].float(), 1).squeeze(1)
    n = torch.multinomial(neg[ok].float(), 1).squeeze(1)
    a = torch.nonzero(ok).squeeze(1)
    return torch.relu(d[a, p] - d[a, n] + m).mean()


def loss_question(e, y, margin=1.0):
    # ../shared/the-question.md, example 3: online_triplet_mining, then a
    # Python loop of triplet_loss calls, as written there.
    def triplet_loss(anchor, positive, negative, margin=1.0):
        distance_pos = torch.norm(anchor - positive, p=2, dim=-1)
        distance_neg = torch.norm(anchor - negative, p=2, dim=-1)
        return torch.mean(torch.relu(distance_pos - distance_neg + margin))

    n = e.shape[0]
    triplets = []
    for i in range(n):
        anchor_emb = e[i]
        pos_idxs = torch.where(y == y[i])[0]
        pos_idx = torch.randint(pos_idxs.shape[0], (1,))
        positive_emb = e[pos_idxs[pos_idx]]
        neg_idxs = torch.where(y != y[i])[0]
        if neg_idxs.shape[0] > 0:
            distances = torch.cdist(anchor_emb.unsqueeze(0), e[neg_idxs], p=2)
            negative_emb = e[neg_idxs[torch.argmin(distances)]]
            triplets.append((anchor_emb, positive_emb, negative_emb))
    loss = 0
    for a, p, ng in triplets:
        loss = loss + triplet_loss(a, p, ng, margin)
    return loss / len(triplets)


LOSSES = {"contrastive": loss_contrastive, "hard": loss_hard, "semihard": loss_semihard,
          "all": loss_all, "random": loss_random, "hardest-neg": loss_question}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="fashion")
    ap.add_argument("--miner", default="hard")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--embed-dim", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=0.0)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    if args.batch % args.k:
        sys.exit("torch_bench: --batch must be a multiple of --k")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    x, y, scale = load(args.data, repo)
    net = nn.Sequential(nn.Linear(x.shape[1], 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                        nn.Linear(128, args.embed_dim))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sampler = PK(y, args.batch // args.k, args.k, 0)
    loss_fn = LOSSES[args.miner]

    def step():
        idx = torch.from_numpy(sampler.next())
        xb = x[idx].float() / scale
        e = nn.functional.normalize(net(xb), dim=1, eps=EPS)
        loss = loss_fn(e, y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(min(10, args.steps)):
        step()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n = 0
        if args.seconds > 0:
            while True:
                step()
                n += 1
                dt = time.perf_counter() - t0
                if dt >= args.seconds:
                    break
        else:
            for _ in range(args.steps):
                step()
            n = args.steps
            dt = time.perf_counter() - t0
        print(f"steps_per_s {n / dt:.1f}", flush=True)


if __name__ == "__main__":
    main()
