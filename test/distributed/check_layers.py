"""Per-layer checks of the PyTorch bridge against neurasm (run by scripts/test-distributed.mjs).

Usage: python test/distributed/check_layers.py FIXTURES_DIR
For every case neurasm wrote (make-fixtures.ts): torch's forward pass on the translated weights equals
neurasm's outputs within 1e-5, and load → save without training gives the same weight bytes. Then the
BatchNormalization momentum translation, the refusals, and the reverse direction (models built in
PyTorch, saved for neurasm: their inputs and torch's outputs go to DIR/from-torch/ for the Node side).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "python"))
import neurasm_torch as nt
from neurasm_torch import layers as NL

TOLERANCE = 1e-5
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f)


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def read_f32(path: str, shape) -> np.ndarray:
    return np.fromfile(path, dtype=np.float32).reshape(shape)


def weight_bytes(directory: str) -> tuple[list, bytes]:
    manifest = read_json(os.path.join(directory, "model.json"))["weightsManifest"]
    specs = [(w["name"], w["shape"], w["dtype"]) for group in manifest for w in group["weights"]]
    data = b"".join(read_bytes(os.path.join(directory, p)) for g in manifest for p in g["paths"])
    return specs, data


def check_cases(root: str) -> None:
    cases = os.path.join(root, "cases")
    for name in sorted(os.listdir(cases)):
        case_dir = os.path.join(cases, name)
        meta = read_json(os.path.join(case_dir, "case.json"))
        x = read_f32(os.path.join(case_dir, "input.bin"), meta["inputShape"])
        expected = read_f32(os.path.join(case_dir, "output.bin"), meta["outputShape"])
        model = nt.load(os.path.join(case_dir, "model"))
        check(model.input_shape == meta["inputShape"][1:], f"{name}: input shape {model.input_shape}")
        got = model.predict(x.astype(np.int64) if meta["ids"] else x)
        diff = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float("inf")
        check(diff <= TOLERANCE, f"{name}: torch forward == neurasm forward (max |diff| {diff:.2e}, shape {got.shape})")
        trip = os.path.join(case_dir, "roundtrip")
        nt.save(model, trip, like=os.path.join(case_dir, "model"))
        if name.endswith(("_uint8", "_float16")):
            continue  # written back as float32: the Node side checks the values against neurasm's dequantized ones
        check(
            weight_bytes(trip) == weight_bytes(os.path.join(case_dir, "model")),
            f"{name}: load -> save leaves every weight bitwise the same (names, shapes, bytes)",
        )


def check_batch_norm_momentum(root: str) -> None:
    d = os.path.join(root, "bn-momentum")
    model = nt.load(os.path.join(d, "before"))
    bn = model[0]
    check(
        abs(bn.bn.momentum - (1 - 0.8)) < 1e-12, f"BatchNormalization momentum 0.8 -> torch momentum {bn.bn.momentum}"
    )
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(read_f32(os.path.join(d, "input.bin"), (16, 5))))
    after = nt.load(os.path.join(d, "after"))[0]
    for stat in ("running_mean", "running_var"):
        diff = float(torch.max(torch.abs(getattr(bn.bn, stat) - getattr(after.bn, stat))))
        check(
            diff <= 1e-6, f"BatchNormalization training step: torch {stat} == neurasm's moving statistic ({diff:.2e})"
        )


def check_refusals(root: str) -> None:
    try:
        nt.save(nn.Sequential(nn.Linear(4, 4), nn.Conv2d(1, 1, 1)), os.path.join(root, "refused"), input_shape=[4])
        check(False, "a torch Conv2d is refused")
    except nt.UnsupportedLayerError as e:
        check("Conv2d" in str(e), f"a torch Conv2d is refused, naming it: {e}")
    gru_dir = os.path.join(root, "cases", "gru", "model")
    document = read_json(os.path.join(gru_dir, "model.json"))
    document["modelTopology"]["config"]["layers"][0]["config"]["reset_after"] = False
    bad = os.path.join(root, "refused-gru")
    os.makedirs(bad, exist_ok=True)
    write_json(os.path.join(bad, "model.json"), document)
    try:
        nt.load(bad)
        check(False, "a GRU with reset_after=false is refused")
    except nt.UnsupportedLayerError as e:
        check("GRU" in str(e) and "reset_after" in str(e), f"a GRU with reset_after=false is refused: {e}")


def expect_error(what: str, error: type, words: list[str], action) -> None:
    try:
        action()
        check(False, f"{what}: no error")
    except error as e:
        check(all(w in str(e) for w in words), f"{what}: {type(e).__name__}: {e}")


def check_more_refusals(root: str) -> None:
    fixtures = os.path.join(os.path.dirname(__file__), "..", "fixtures")
    expect_error("a directory without model.json", nt.ModelFormatError, ["model.json"], lambda: nt.load(root))
    expect_error(
        "a Keras model with TimeDistributed",
        nt.UnsupportedLayerError,
        ["TimeDistributed", "time_distributed"],
        lambda: nt.load(os.path.join(fixtures, "keras3-conv1d")),
    )
    expect_error(
        "a functional model",
        nt.ModelFormatError,
        ["Sequential", "Functional"],
        lambda: nt.load(os.path.join(fixtures, "keras-functional")),
    )
    expect_error(
        "a torch nn.LSTM (returns a tuple, not channels-last)",
        nt.UnsupportedLayerError,
        ["LSTM", "neurasm_torch.layers"],
        lambda: nt.from_torch(nn.Sequential(nn.LSTM(3, 4)), [5, 3]),
    )
    expect_error(
        "a plain torch module saved without input_shape",
        nt.UnsupportedLayerError,
        ["input_shape"],
        lambda: nt.save(nn.Sequential(nn.Linear(2, 2)), os.path.join(root, "refused")),
    )
    embedding = nt.NeurasmSequential([NL.Embedding(10, 4, name="tokens")], [3], "int32")
    expect_error(
        "an id outside the embedding",
        ValueError,
        ['Embedding "tokens"', "id 10"],
        lambda: embedding.predict(np.array([[1, 10, 2]])),
    )
    masked_conv = nt.NeurasmSequential(
        [NL.Embedding(10, 4, mask_zero=True, name="e"), NL.Conv1D(4, 2, 2, name="c")], [6], "int32"
    )
    expect_error(
        "a mask reaching Conv1D",
        nt.UnsupportedLayerError,
        ['Conv1D "c"', "mask"],
        lambda: masked_conv.predict(np.ones((1, 6))),
    )


def randomize(module: nn.Module, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=g) * 1.2 - 0.6)
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.rand(b.shape, generator=g) - 0.5)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)


def write_from_torch(root: str) -> None:
    """Models built in PyTorch, saved for neurasm, with inputs and torch's outputs for the Node side."""
    torch.manual_seed(7)
    plain = nn.Sequential(
        nn.Linear(6, 8),
        nn.ReLU(),
        nn.BatchNorm1d(8, momentum=0.1),
        nn.Dropout(0.2),
        nn.Linear(8, 8),
        nn.Tanh(),
        nn.Linear(8, 3),
        nn.Softmax(dim=-1),
    )
    text = nt.NeurasmSequential(
        [
            NL.Embedding(30, 6, mask_zero=False, name="tokens"),
            NL.Conv1D(6, 5, 3, padding="same", activation="relu", name="conv"),
            NL.Recurrent("LSTM", 5, 4, return_sequences=True, name="lstm"),
            NL.Recurrent("GRU", 4, 4, name="gru"),
            NL.Dense(4, 2, "softmax", name="out"),
        ],
        input_shape=[10],
        input_dtype="int32",
    )
    rng = np.random.default_rng(3)
    for name, model, x, shape in (
        ("plain", plain, rng.uniform(-2, 2, (9, 6)).astype(np.float32), [6]),
        ("text", text, rng.integers(1, 30, (9, 10)).astype(np.float32), None),
    ):
        randomize(model, 11)
        model.eval()
        d = os.path.join(root, "from-torch", name)
        nt.save(model, os.path.join(d, "model"), input_shape=shape)
        with torch.no_grad():
            y = model(torch.from_numpy(x) if name == "plain" else torch.from_numpy(x).long()).numpy()
        x.tofile(os.path.join(d, "input.bin"))
        y.astype(np.float32).tofile(os.path.join(d, "output.bin"))
        write_json(
            os.path.join(d, "case.json"),
            {"inputShape": list(x.shape), "outputShape": list(y.shape), "ids": name == "text"},
        )
        print(f"wrote {d}")


def write_text_data(root: str) -> None:
    """The text case's token ids with labels (1: spam), for a DDP run on a model with a text layer and masks."""
    d = os.path.join(root, "cases", "text_vectorization")
    meta = read_json(os.path.join(d, "case.json"))
    ids = read_f32(os.path.join(d, "input.bin"), meta["inputShape"]).astype(np.int64)
    labels = np.array([1, 0, 0, 1, 0, 1], dtype=np.float32).reshape(-1, 1)
    np.savez(os.path.join(root, "text.npz"), x_train=ids, y_train=labels, x_test=ids, y_test=labels)


def main() -> None:
    root = sys.argv[1]
    check_cases(root)
    check_batch_norm_momentum(root)
    check_refusals(root)
    check_more_refusals(root)
    write_from_torch(root)
    write_text_data(root)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all layer checks passed")


if __name__ == "__main__":
    main()
