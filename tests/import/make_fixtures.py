#!/usr/bin/python3
"""make_fixtures.py: the ONNX fixtures of tests/run_import.sh and of the
tests/errors/import_* cases, made with PyTorch (Debian's python3-torch) and
the onnx package. Run from the repository root:

    /usr/bin/python3 tests/import/make_fixtures.py

For each network case it writes tests/import/<case>.onnx, a float32 input
<case>.x.npy and PyTorch's float32 output on it, <case>.y.npy. The tests need
none of this at run time: the outputs are committed. Deterministic (seeded).
"""
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def randomize_bn(bn):
    """Non-trivial running statistics and affine terms, so that folding shows."""
    with torch.no_grad():
        n = bn.num_features
        bn.weight.copy_(torch.rand(n) * 1.5 + 0.25)
        bn.bias.copy_(torch.randn(n) * 0.3)
        bn.running_mean.copy_(torch.randn(n) * 0.3)
        bn.running_var.copy_(torch.rand(n) * 2 + 0.2)


class ResBlock(nn.Module):
    """Conv+BatchNorm+Relu stem, a residual block (Add, fused relu),
    GlobalAveragePool, Flatten, Gemm."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.c1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 5)
        for bn in (self.bn0, self.bn1, self.bn2):
            randomize_bn(bn)

    def forward(self, x):
        x = F.relu(self.bn0(self.stem(x)))
        y = F.relu(self.bn1(self.c1(x)))
        y = self.bn2(self.c2(y))
        x = F.relu(x + y)
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class Mobile(nn.Module):
    """ReLU6 (Clip(0,6)), AveragePool, depthwise conv + BatchNorm + ReLU6,
    grouped 1x1 conv, MaxPool, Gemm (transB = 1)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(4, 8, 3, padding=1)
        self.pool = nn.AvgPool2d(2)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.pw = nn.Conv2d(8, 12, 1, groups=2)
        self.fc = nn.Linear(12 * 2 * 2, 6)
        randomize_bn(self.bn)

    def forward(self, x):
        x = self.pool(F.relu6(self.c1(x)))
        x = F.relu6(self.bn(self.dw(x)))
        x = F.max_pool2d(F.relu(self.pw(x)), 2)
        return self.fc(torch.flatten(x, 1))


class Shared(nn.Module):
    """A conv output read twice (a relu layer, not fused), stride 2 and a
    3x1 kernel, a conv without bias, MaxPool with padding, Reshape to [-1, K],
    Gemm."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 6, (3, 1), stride=2, padding=(1, 0))
        self.c2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(6 * 2 * 2, 4)

    def forward(self, x):
        z = self.c1(x)
        y = F.relu(z) + z
        y = F.max_pool2d(self.c2(y), 3, stride=2, padding=1)
        y = self.drop(y)
        return self.fc(y.reshape(-1, 6 * 2 * 2))


class Reduce(nn.Module):
    """A strided conv, then x.mean((2, 3)) (ReduceMean, keepdims 0) as the
    global average pool, Gemm."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 10, 3, stride=2)
        self.fc = nn.Linear(10, 4)

    def forward(self, x):
        return self.fc(F.relu(self.c(x)).mean((2, 3)))


class View(nn.Module):
    """x.view(x.size(0), -1) with a dynamic batch: Shape, Gather, Unsqueeze,
    Concat, Reshape; the Relu after the Reshape still fuses into the conv."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 3, 3)
        self.fc = nn.Linear(3 * 4 * 4, 5)

    def forward(self, x):
        x = self.c(x)
        return self.fc(F.relu(x.view(x.size(0), -1)))


class Mlp(nn.Module):
    """Input [N, K]; MatMul then Add (bias), Relu, Gemm with transB = 0."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(20, 16) * 0.3)
        self.b1 = nn.Parameter(torch.randn(16) * 0.1)
        self.w2 = nn.Parameter(torch.randn(16, 7) * 0.3)
        self.b2 = nn.Parameter(torch.randn(7) * 0.1)

    def forward(self, x):
        x = F.relu(torch.matmul(x, self.w1) + self.b1)
        return torch.addmm(self.b2, x, self.w2)


class Sigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 2, 3)

    def forward(self, x):
        return torch.sigmoid(self.c(x))


class Clamp01(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 2, 3)

    def forward(self, x):
        return torch.clamp(self.c(x), 0, 1)


class Dilated(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 2, 3, dilation=2)

    def forward(self, x):
        return self.c(x)


class AvgPad(nn.Module):
    def forward(self, x):
        return F.avg_pool2d(x, 3, stride=1, padding=1)


class Relu6Shared(nn.Module):
    """relu6 on a conv output that an Add also reads: nothing to fuse into."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        z = self.c(x)
        return F.relu6(z) + z


class Clamp(nn.Module):
    """torch.clamp(x, 0, 6) (Clip whose bounds come through Cast nodes), a
    residual add read by a relu, avgpool and global average pooling."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 6, 3, padding=1)
        self.b = nn.Conv2d(6, 6, 3, padding=1)
        self.pool = nn.AvgPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        x = torch.clamp(self.a(x), 0, 6)
        x = torch.relu(self.b(x) + x)
        x = self.gap(self.pool(x)).flatten(1)
        return self.fc(x)


def export(model, shape, name, opset=13, dynamic=None, batch=True):
    model.eval()
    path = os.path.join(HERE, name + ".onnx")
    axes = dynamic or ({"x": {0: "batch"}, "y": {0: "batch"}} if batch else None)
    # PRESERVE keeps BatchNormalization nodes (an eval-mode export folds them itself)
    torch.onnx.export(model, torch.zeros(*shape), path, opset_version=opset,
                      input_names=["x"], output_names=["y"], dynamic_axes=axes,
                      training=torch.onnx.TrainingMode.PRESERVE)
    return path


def case(model, shape, name, opset=13, n=16):
    torch.manual_seed(sum(name.encode()))
    export(model, (1,) + shape, name, opset)
    x = torch.randn((n,) + shape) * 0.5
    with torch.no_grad():
        y = model(x)
    save(name, x, y)


def save(name, x, y):
    # nnc takes [N, C, H, W]: an [N, K] input is given as [N, K, 1, 1]
    x = x.numpy().astype(np.float32)
    if x.ndim == 2:
        x = x.reshape(x.shape + (1, 1))
    np.save(os.path.join(HERE, name + ".x.npy"), x)
    np.save(os.path.join(HERE, name + ".y.npy"), y.numpy().astype(np.float32))


def helper_model(name, nodes, inits, in_shape, out_shape=None, inputs=None):
    """A hand-made model (onnx.helper), for what PyTorch does not export."""
    ins = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)]
    g = helper.make_graph(nodes, name, ins, outs, initializer=inits)
    m = helper.make_model(g, producer_name="make_fixtures.py",
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(HERE, name + ".onnx"))
    return m


def handmade():
    """What PyTorch does not export, built with onnx.helper and checked against
    the same computation in torch: Conv without bias and auto_pad SAME_UPPER,
    Add of a [1, F, 1, 1] constant (a bias), Identity and Dropout between the
    conv and its Relu (still fused), GlobalMaxPool, Gemm with transB = 0 and
    alpha, beta != 1, MatMul with no bias after it."""
    g = torch.Generator().manual_seed(7)
    w1 = torch.randn(4, 3, 3, 3, generator=g) * 0.4
    cb = torch.randn(1, 4, 1, 1, generator=g) * 0.2
    b = torch.randn(4, 5, generator=g) * 0.5
    c = torch.randn(5, generator=g) * 0.2
    w2 = torch.randn(5, 3, generator=g) * 0.5
    inits = [numpy_helper.from_array(t.numpy(), k)
             for k, t in (("w1", w1), ("cb", cb), ("B", b), ("C", c), ("w2", w2))]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", auto_pad="SAME_UPPER"),
        helper.make_node("Add", ["c1", "cb"], ["a1"], name="conv1_bias"),
        helper.make_node("Identity", ["a1"], ["i1"], name="ident"),
        helper.make_node("Dropout", ["i1"], ["d1"], name="drop"),
        helper.make_node("Relu", ["d1"], ["r1"], name="relu1"),
        helper.make_node("GlobalMaxPool", ["r1"], ["g1"], name="gmax"),
        helper.make_node("Flatten", ["g1"], ["f1"], name="flat"),
        helper.make_node("Gemm", ["f1", "B", "C"], ["y1"], name="gemm", alpha=0.5, beta=2.0),
        helper.make_node("MatMul", ["y1", "w2"], ["y"], name="matmul"),
    ]
    helper_model("handmade", nodes, inits, ["N", 3, 6, 6], ["N", 3])
    x = torch.randn(16, 3, 6, 6, generator=g) * 0.5
    h = F.relu(F.conv2d(x, w1, padding=1) + cb)
    h = torch.amax(h, dim=(2, 3))
    y = (0.5 * h @ b + 2.0 * c) @ w2
    save("handmade", x, y)


def errors():
    torch.manual_seed(1)        # independent of the cases above
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.standard_normal((2, 1, 3, 3)).astype(np.float32), "w")
    # asymmetric pads
    helper_model("asym_pads", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_asym",
                                                 pads=[0, 0, 1, 1])],
                 [w], [1, 1, 8, 8])
    # int8 weights
    w8 = numpy_helper.from_array(rng.integers(-5, 5, (2, 1, 3, 3)).astype(np.int8), "w8")
    helper_model("int8_weights", [helper.make_node("Conv", ["x", "w8"], ["y"], name="conv_int8")],
                 [w8], [1, 1, 8, 8])
    # weights in an external file
    m = helper_model("external", [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_ext")],
                     [w], [1, 1, 8, 8])
    if os.path.exists(os.path.join(HERE, "external.data")):
        os.remove(os.path.join(HERE, "external.data"))      # onnx appends to it
    onnx.save_model(m, os.path.join(HERE, "external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="external.data",
                    size_threshold=0)
    # rank-5 input
    helper_model("rank5", [helper.make_node("Relu", ["x"], ["y"], name="relu")], [],
                 [1, 1, 2, 8, 8])
    # two inputs
    helper_model("two_inputs", [helper.make_node("Add", ["x", "x2"], ["y"], name="add")], [],
                 None, inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4]),
                               helper.make_tensor_value_info("x2", TensorProto.FLOAT, [1, 2, 4, 4])])
    # several unsupported operators, reported in one run; what reads them is quiet
    helper_model("several", [helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
                             helper.make_node("Tanh", ["c"], ["t"], name="tanh_1"),
                             helper.make_node("Relu", ["t"], ["r"], name="relu_after_tanh"),
                             helper.make_node("Sigmoid", ["c"], ["s"], name="sigmoid_2"),
                             helper.make_node("Mul", ["r", "s"], ["y"], name="mul_3")],
                 [w], [1, 1, 8, 8])
    # torch-made ones
    export(Sigmoid().eval(), (1, 1, 8, 8), "sigmoid")
    export(Clamp01().eval(), (1, 1, 8, 8), "clip01")
    export(Dilated().eval(), (1, 1, 8, 8), "dilated")
    export(AvgPad().eval(), (1, 1, 8, 8), "pad_nonzero")       # a Pad, then AveragePool
    helper_model("avgpool_pads", [helper.make_node("AveragePool", ["x"], ["y"], name="avg",
                                                    kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
                 [], [1, 1, 8, 8])
    export(Relu6Shared().eval(), (1, 2, 8, 8), "relu6_shared")
    export(Dilated().eval(), (1, 1, 8, 8), "dynamic_height",
           dynamic={"x": {0: "batch", 2: "height"}, "y": {0: "batch", 2: "height"}})
    # a truncated copy of the digits model, and a file that is not a model
    with open(os.path.join(HERE, "../../examples/digits/digits.onnx"), "rb") as f:
        data = f.read()
    with open(os.path.join(HERE, "truncated.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(os.path.join(HERE, "not_onnx.onnx"), "wb") as f:
        f.write(b"\x93NUMPY this is not a model\n")


def main():
    torch.manual_seed(0)
    case(ResBlock(), (3, 8, 8), "resblock")
    case(Mobile(), (4, 8, 8), "mobile")
    case(Mobile(), (4, 8, 8), "mobile_opset10", opset=10)
    case(Shared(), (2, 7, 6), "shared")
    case(Mlp(), (20,), "mlp")
    case(Reduce(), (3, 9, 9), "reduce")
    case(View(), (2, 6, 6), "view")
    case(Clamp(), (3, 8, 8), "clamp")
    handmade()
    errors()


if __name__ == "__main__":
    main()
