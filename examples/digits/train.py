#!/usr/bin/python3
"""train.py: train the digits CNN on sklearn's 8x8 handwritten digits and
export everything nnc needs (run from anywhere; writes beside this file).

Data: sklearn.datasets.load_digits (1797 images, pixels 0..16, shipped with
sklearn). Input scaling x = pixel / 32: every value is a multiple of 1/32, so
the input format fixed<8,7> holds it exactly (q = 4 * pixel, 0..64) and the
fixed-point model sees precisely the image the float model sees. Test set: 360
images held back by sklearn's train_test_split(test_size=360, random_state=0,
stratify=labels); the other 1437 train. (Holding back the last 360 images
instead, a contiguous block of the file, gives only 91-94% with this small
network: a harder, shifted split.)

Network (PyTorch module names = the .nn layer names):
  c1 conv 3x3 pad 1, 8 filters, relu; p1 maxpool 2
  c2 conv 3x3 pad 1, 16 filters, relu; p2 maxpool 2
  f1 fc 32, relu; f2 fc 10 (logits)
Dropout 0.2 before f1 and f2 while training only (identity at inference, so
not part of the .nn network). Adam, cosine schedule, 60 epochs, batch 32.

Writes: weights/<layer>.{weight,bias}.npy (float32, PyTorch layouts),
test_x.npy, test_y.npy, calib_x.npy, test_logits_torch.npy, digits.onnx,
and prints the weight and activation ranges used to pick digits.nn's formats.
"""
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
N_TEST = 360
EPOCHS = 60
BATCH = 32
HERE = os.path.dirname(os.path.abspath(__file__))


class Digits(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.f1 = nn.Linear(16 * 2 * 2, 32)
        self.f2 = nn.Linear(32, 10)

    def forward(self, x, trace=None):
        c1 = F.relu(self.c1(x))
        p1 = F.max_pool2d(c1, 2)
        c2 = F.relu(self.c2(p1))
        p2 = F.max_pool2d(c2, 2)
        flat = F.dropout(torch.flatten(p2, 1), 0.2, self.training)  # C,H,W order, as nnc
        f1 = F.relu(self.f1(flat))
        f2 = self.f2(F.dropout(f1, 0.2, self.training))
        if trace is not None:
            trace.update(c1=c1, c2=c2, f1=f1, f2=f2)
        return f2


def main():
    t0 = time.time()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    d = load_digits()
    x = (d.images.astype(np.float32) / 32.0)[:, None, :, :]  # [1797,1,8,8]
    y = d.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=N_TEST, random_state=SEED, stratify=y)

    model = Digits()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    Xtr, Ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    Xte = torch.from_numpy(xte)
    g = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(model(Xtr[idx]), Ytr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte).argmax(1).numpy() == yte).mean()
            print(f"epoch {epoch + 1:3d}  train loss {total / len(Xtr):.4f}  test acc {acc:.4f}")

    model.eval()
    wdir = os.path.join(HERE, "weights")
    os.makedirs(wdir, exist_ok=True)
    for name in ("c1", "c2", "f1", "f2"):
        m = getattr(model, name)
        np.save(os.path.join(wdir, f"{name}.weight.npy"), m.weight.detach().numpy().astype(np.float32))
        np.save(os.path.join(wdir, f"{name}.bias.npy"), m.bias.detach().numpy().astype(np.float32))
    with torch.no_grad():
        logits = model(Xte).numpy().astype(np.float32)
    np.save(os.path.join(HERE, "test_x.npy"), xte)
    np.save(os.path.join(HERE, "test_y.npy"), yte)
    np.save(os.path.join(HERE, "calib_x.npy"), xtr[:100])
    np.save(os.path.join(HERE, "test_logits_torch.npy"), logits)
    acc = (logits.argmax(1) == yte).mean()
    print(f"torch float32 test accuracy: {acc:.4f} ({(logits.argmax(1) == yte).sum()}/{len(yte)})")

    # ranges that digits.nn's formats are chosen from (training set)
    print("layer  max|weight|  max|bias|  activation max (train)  99.9th pct")
    tr = {}
    with torch.no_grad():
        model(Xtr, trace=tr)
    for name in ("c1", "c2", "f1", "f2"):
        m = getattr(model, name)
        a = tr[name].numpy()
        amax = np.abs(a).max()
        print(f"{name:5s}  {m.weight.abs().max().item():10.4f}  {m.bias.abs().max().item():9.4f}"
              f"  {amax:22.4f}  {np.percentile(np.abs(a), 99.9):10.4f}")

    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(HERE, "digits.onnx"),
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    print(f"train.py took {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
