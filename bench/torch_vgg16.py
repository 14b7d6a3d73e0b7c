# torch_vgg16.py DIR NNC: the golden model (`nnc run`) on VGG16 against
# PyTorch float32 VGG16 on the same cores in the same run. Writes DIR/x.npy
# (one 3x224x224 image), times the whole `nnc run` command and
# PyTorch's forward pass (2 threads, eval, no_grad, one warm-up), interleaved,
# 5 times each (best of 5),
# and prints one JSON line.
import json, os, subprocess, sys, time
import numpy as np
import torch
import torch.nn as nn

d, nnc = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
x = np.random.default_rng(1).uniform(-1, 1, (3, 224, 224)).astype(np.float32)
np.save(os.path.join(d, "x.npy"), x)

cmd = [nnc, "run", "examples/vgg16.nn", "--input", os.path.join(d, "x.npy"),
       "-o", os.path.join(d, "y.npy")]

# VGG16 configuration D, built from torch.nn (torchvision is not installed)
torch.set_num_threads(2)
torch.manual_seed(1)
layers, c = [], 3
for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"]:
    if v == "M":
        layers.append(nn.MaxPool2d(2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
        c = v
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True),
                      nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 1000)).eval()
xt = torch.from_numpy(x).unsqueeze(0)

# Interleaved, so that both see the same machine (it is shared): nnc, torch,
# nnc, torch, ...; the ratio of the best times and the median of the pairs.
reps = int(os.environ.get("BENCH_GOLDEN_REPS", "5"))
nnc_t, torch_t = [], []
with torch.no_grad():
    model(xt)
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=root, check=True)
        nnc_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        model(xt)
        torch_t.append(time.perf_counter() - t)
pairs = sorted(a / b for a, b in zip(nnc_t, torch_t))

print(json.dumps({"pair_ratio_median": pairs[len(pairs) // 2], "nnc_s": min(nnc_t), "nnc_all_s": nnc_t, "torch_s": min(torch_t),
                  "torch_all_s": torch_t, "torch_threads": torch.get_num_threads(),
                  "torch_version": torch.__version__,
                  "nnc_command": "build/nnc run examples/vgg16.nn --input DIR/x.npy -o DIR/y.npy"}))
