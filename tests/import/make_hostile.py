#!/usr/bin/python3
"""make_hostile.py: the hostile ONNX models of the tests/errors/import_hostile_*
cases, written with tests/fuzz/onnx_writer.py (no onnx package needed). Run
from the repository root: /usr/bin/python3 tests/import/make_hostile.py"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from onnx_writer import (attr_ints, graph, model, node, tensor,  # noqa: E402
                         value_info)

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, g, opset=13):
    with open(os.path.join(HERE, "hostile_%s.onnx" % name), "wb") as f:
        f.write(model(g, opset))


w = tensor("w", [4, 3, 3, 3], floats=[0.1] * 108)
x = [value_info("x", [1, 3, 8, 8])]
pad = [attr_ints("pads", [1, 1, 1, 1])]
# a cycle: c1 reads what c2 writes, and c2 reads what c1 writes
save("cycle", graph([node("Conv", ["t2", "w"], ["t1"], "c1", pad),
                     node("Relu", ["t1"], ["t2"], "r1")],
                    x, [value_info("t2", [1, 4, 8, 8])], [w]))
# one tensor written by two nodes
save("two_writers", graph([node("Conv", ["x", "w"], ["t1"], "c1"),
                           node("Relu", ["x"], ["t1"], "r1"),
                           node("Relu", ["t1"], ["y"], "r2")],
                          x, [value_info("y", [1, 4, 6, 6])], [w]))
# nodes that overwrite the graph's input and an initializer
save("overwrite", graph([node("Conv", ["x", "w"], ["t1"], "c1"),
                         node("Relu", ["t1"], ["x"], "r1"),
                         node("Relu", ["t1"], ["w"], "r2")],
                        x, [value_info("t1", [1, 4, 6, 6])], [w]))
# weights in an external file outside the model's folder
save("external_path", graph([node("Conv", ["x", "w"], ["y"], "c1")], x,
                            [value_info("y", [1, 4, 6, 6])],
                            [tensor("w", [4, 3, 3, 3], location=1,
                                    external={"location": "../../../etc/shadow",
                                              "offset": "0", "length": "432"})]))
# an initializer declaring 2^80 elements, with 9 values
save("huge_initializer", graph([node("Conv", ["x", "w"], ["y"], "c1")], x,
                               [value_info("y", [1, 4, 6, 6])],
                               [tensor("w", [1 << 40, 1 << 40, 3, 3], floats=[0.1] * 9)]))
# an input of 2^60 elements
save("huge_input", graph([node("Conv", ["x", "w"], ["y"], "c1")],
                         [value_info("x", [1, 3, 1 << 20, 1 << 20])],
                         [value_info("y", [1, 4, 6, 6])], [w]))
# a model from an opset newer than the importer knows, and otherwise wrong
save("future_opset", graph([node("Conv", ["x", "w"], ["y"], "c1"),
                            node("Frobnicate", ["y"], ["z"], "f1")], x,
                           [value_info("z", [1, 4, 6, 6])], [w]), opset=99)
# names that differ only in case or punctuation (imports: see run_import.sh)
w1 = tensor("w1", [3, 3, 1, 1], floats=[0.1] * 9)
names = ["conv.1", "conv_1", "Conv-1", "CONV 1", "1conv", "wire", "input", "Input"]
save("names", graph([node("Conv", ["x" if i == 0 else "t%d" % (i - 1), "w1"], ["t%d" % i], n)
                     for i, n in enumerate(names)],
                    [value_info("x", [1, 3, 4, 4])],
                    [value_info("t%d" % (len(names) - 1), [1, 3, 4, 4])], [w1]))
